from django.utils.translation import gettext_lazy

from kechuang.accounts.models import Role

ORDER = 40
NAV = [("matching:inbox", gettext_lazy("对接邀请"), {Role.EXPERT, Role.LIAISON})]
