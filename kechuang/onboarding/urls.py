from django.urls import path

from kechuang.onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_done, name="signup_done"),
    path("signups/", views.signup_list, name="signups"),
    path("signups/<int:pk>/", views.signup_detail, name="signup_detail"),
    path("signups/<int:pk>/approve/", views.signup_approve, name="signup_approve"),
    path("signups/<int:pk>/reject/", views.signup_reject, name="signup_reject"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.accept, name="accept"),
]
