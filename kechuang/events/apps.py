from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kechuang.events"
    label = "events"
    verbose_name = "活动与对接会"
