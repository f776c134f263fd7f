from django.apps import AppConfig


class CoreConfig(AppConfig):
    verbose_name = "核心"
    name = "kechuang.core"
    label = "core"
