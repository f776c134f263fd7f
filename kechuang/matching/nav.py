from kechuang.accounts.models import Role

ORDER = 40
NAV = [("matching:inbox", "对接邀请", {Role.EXPERT, Role.LIAISON})]
