from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "kechuang.followup"
    label = "followup"
    verbose_name = "走访、协议与基地"

    def ready(self) -> None:
        from kechuang.core.extensions import load_app_extensions

        load_app_extensions(self)
