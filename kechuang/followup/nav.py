from django.utils.translation import gettext_lazy, pgettext_lazy

from kechuang.accounts.models import Role

_FOLLOWUP = {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.ENTERPRISE, Role.LIAISON, Role.EXPERT}
ORDER = 60
NAV = [
    ("followup:visits", gettext_lazy("走访把脉"), _FOLLOWUP),
    ("followup:agreements", pgettext_lazy("navigation", "合作协议"), _FOLLOWUP),
    ("followup:bases", gettext_lazy("基地中心"), {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.LIAISON}),
]
