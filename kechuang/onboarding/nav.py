from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role

ORDER = 85
NAV = [
    ("onboarding:signups", _("注册审核"), {Role.COORDINATOR, Role.DISTRICT}),
    ("onboarding:invitations", _("邀请"), {Role.COORDINATOR, Role.LIAISON}),
]
