from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role

ORDER = 20
NAV = [
    (
        "experts:list",
        _("专家"),
        {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.LIAISON, Role.ENTERPRISE},
    ),
    (
        "experts:achievements",
        _("科技成果"),
        {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.LIAISON, Role.ENTERPRISE, Role.EXPERT},
    ),
    ("experts:requests", _("对接请求"), {Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE, Role.EXPERT}),
    ("experts:my_profile", _("我的档案"), {Role.EXPERT}),
]
