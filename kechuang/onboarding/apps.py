from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class OnboardingConfig(AppConfig):
    verbose_name = gettext_lazy("自助注册与邀请")
    name = "kechuang.onboarding"
    label = "onboarding"
