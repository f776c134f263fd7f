from kechuang.accounts.models import Role

NAV = [("dashboard:index", "数据看板", {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT})]
