from django.contrib.auth import views as auth_views
from django.urls import path

from kechuang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("lockouts/", views.lockouts, name="lockouts"),
]
