from django.utils.translation import gettext_lazy

from kechuang.accounts.models import Role

ORDER = 70
NAV = [("dashboard:index", gettext_lazy("数据看板"), {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT})]
