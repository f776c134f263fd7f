from django.utils.translation import gettext_lazy

from kechuang.accounts.models import Role

ORDER = 85
NAV = [("intake:home", gettext_lazy("数据导入"), {Role.COORDINATOR, Role.DISTRICT, Role.ENTERPRISE, Role.LIAISON})]
