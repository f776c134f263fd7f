from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    verbose_name = "自助注册与邀请"
    name = "kechuang.onboarding"
    label = "onboarding"
