from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    verbose_name = "通知"
    name = "kechuang.notifications"
    label = "notifications"
