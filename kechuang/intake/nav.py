from kechuang.accounts.models import Role

ORDER = 85
NAV = [("intake:home", "数据导入", {Role.COORDINATOR, Role.DISTRICT, Role.ENTERPRISE, Role.LIAISON})]
