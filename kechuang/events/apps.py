from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class EventsConfig(AppConfig):
    name = "kechuang.events"
    label = "events"
    verbose_name = gettext_lazy("活动与对接会")
