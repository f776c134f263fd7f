from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class MatchingConfig(AppConfig):
    name = "kechuang.matching"
    label = "matching"
    verbose_name = gettext_lazy("匹配")

    def ready(self) -> None:
        from kechuang.matching import signals

        signals.connect()
