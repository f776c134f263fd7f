from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountsConfig(AppConfig):
    verbose_name = gettext_lazy("用户与地区")
    name = "kechuang.accounts"
    label = "accounts"

    def ready(self):
        from kechuang.accounts import signals  # noqa: F401  (sign-in events → audit trail)
