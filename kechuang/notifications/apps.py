from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class NotificationsConfig(AppConfig):
    verbose_name = gettext_lazy("通知")
    name = "kechuang.notifications"
    label = "notifications"
