from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role

ORDER = 30
NAV = [("orgs:list", _("组织"), {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT})]
