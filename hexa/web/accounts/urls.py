"""/accounts/: signing in and out, the password (change, reset by email), one's API tokens,
and the sign-in lockouts for managers. The names are Django's own (`login`,
`password_reset`...), so that Django and its admin find them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from hexa.web.accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChange.as_view(), name="password_change"),
    path("password_reset/", views.PasswordReset.as_view(), name="password_reset"),
    path("password_reset/done/", views.PasswordResetDone.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetComplete.as_view(), name="password_reset_complete"),
    path("tokens/", views.tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
    path("lockouts/", views.lockout_list, name="lockouts"),
    path("lockouts/lift/", views.lockout_lift, name="lockout-lift"),
]
