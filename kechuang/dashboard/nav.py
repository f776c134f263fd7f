from kechuang.accounts.models import Role

ORDER = 70
NAV = [("dashboard:index", "数据看板", {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT})]
