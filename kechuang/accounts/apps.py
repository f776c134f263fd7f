from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "用户与地区"
    name = "kechuang.accounts"
    label = "accounts"

    def ready(self):
        from kechuang.accounts import signals  # noqa: F401  (sign-in events → audit trail)
