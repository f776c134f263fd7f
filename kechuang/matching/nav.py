from kechuang.accounts.models import Role

NAV = [("matching:inbox", "对接邀请", {Role.EXPERT, Role.LIAISON})]
