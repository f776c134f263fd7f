from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "kechuang.followup"
    label = "followup"
    verbose_name = "走访、协议与基地"
