from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kechuang.events"
    label = "events"
    verbose_name = "活动与对接会"

    def ready(self) -> None:
        from kechuang.core.extensions import load_app_extensions

        load_app_extensions(self)
