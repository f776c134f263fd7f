from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kechuang.intake"
    verbose_name = gettext_lazy("数据导入")
