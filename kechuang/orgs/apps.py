from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class OrgsConfig(AppConfig):
    verbose_name = gettext_lazy("组织与产业链")
    name = "kechuang.orgs"
    label = "orgs"
