from django.apps import AppConfig


class OrgsConfig(AppConfig):
    verbose_name = "组织与产业链"
    name = "kechuang.orgs"
    label = "orgs"
