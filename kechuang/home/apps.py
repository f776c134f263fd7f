from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top floor: each role's home page and the navigation, composed from every app's selectors."""

    name = "kechuang.home"
    label = "home"
    verbose_name = "工作台"
