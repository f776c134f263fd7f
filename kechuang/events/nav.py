from django.utils.translation import gettext_lazy

ORDER = 50
NAV = [("events:list", gettext_lazy("活动"), None)]
