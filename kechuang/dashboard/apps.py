from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kechuang.dashboard"
    label = "dashboard"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from kechuang.core.extensions import load_app_extensions

        load_app_extensions(self)

        from kechuang.dashboard.cache import connect

        connect()
