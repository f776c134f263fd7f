from django.apps import AppConfig


class CoreConfig(AppConfig):
    verbose_name = "核心"
    name = "kechuang.core"
    label = "core"

    def ready(self) -> None:
        from kechuang.core.extensions import app_modules

        app_modules("access_rules")  # importing registers each app's @rule functions
