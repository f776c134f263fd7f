from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class FollowupConfig(AppConfig):
    name = "kechuang.followup"
    label = "followup"
    verbose_name = gettext_lazy("走访、协议与基地")
