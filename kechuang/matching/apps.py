from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "kechuang.matching"
    label = "matching"
    verbose_name = "匹配"

    def ready(self) -> None:
        from kechuang.core.extensions import load_app_extensions
        from kechuang.matching import signals

        load_app_extensions(self)
        signals.connect()
