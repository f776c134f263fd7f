from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "kechuang.matching"
    label = "matching"
    verbose_name = "匹配"

    def ready(self) -> None:
        from kechuang.matching import signals

        signals.connect()
