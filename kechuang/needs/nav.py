from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role

ORDER = 10
NAV = [
    ("needs:list", _("需求"), None),
    ("needs:create", _("提交需求"), {Role.COORDINATOR, Role.DISTRICT, Role.ENTERPRISE}),
]
