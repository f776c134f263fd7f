from django.utils.translation import gettext_lazy as _

ORDER = 0
NAV = [("home:home", _("工作台"), None)]
