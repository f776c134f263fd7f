from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ExpertsConfig(AppConfig):
    verbose_name = gettext_lazy("专家与成果")
    name = "kechuang.experts"
    label = "experts"
