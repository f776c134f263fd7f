from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DashboardConfig(AppConfig):
    name = "kechuang.dashboard"
    label = "dashboard"
    verbose_name = gettext_lazy("数据看板")

    def ready(self) -> None:
        from kechuang.dashboard.cache import connect

        connect()
