from django.apps import AppConfig


class NeedsConfig(AppConfig):
    verbose_name = "需求"
    name = "kechuang.needs"
    label = "needs"
