from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class NeedsConfig(AppConfig):
    verbose_name = gettext_lazy("需求")
    name = "kechuang.needs"
    label = "needs"
