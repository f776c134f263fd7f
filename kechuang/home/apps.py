from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class HomeConfig(AppConfig):
    """The top floor: each role's home page and the navigation, composed from every app's selectors."""

    name = "kechuang.home"
    label = "home"
    verbose_name = gettext_lazy("工作台")
