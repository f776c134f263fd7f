from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kechuang.api"
    label = "api"
