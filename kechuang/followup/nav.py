from kechuang.accounts.models import Role

_FOLLOWUP = {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.ENTERPRISE, Role.LIAISON, Role.EXPERT}
ORDER = 60
NAV = [
    ("followup:visits", "走访把脉", _FOLLOWUP),
    ("followup:agreements", "合作协议", _FOLLOWUP),
    ("followup:bases", "基地中心", {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.LIAISON}),
]
