from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    verbose_name = "专家与成果"
    name = "kechuang.experts"
    label = "experts"
