from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "用户与地区"
    name = "kechuang.accounts"
    label = "accounts"
