from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kechuang.dashboard"
    label = "dashboard"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from kechuang.dashboard.cache import connect

        connect()
