from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django_ratelimit.decorators import ratelimit

from . import views

app_name = "accounts"

# Links in reset e-mails are built from SITE_URL, never from the request's Host header.
_email_context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}


def asked_address(group, request):
    # The reset matches addresses case-insensitively, so the limit counts them that way too.
    return request.POST.get("email", "").strip().lower()


def reset_limits(view):
    by_address = ratelimit(key="ip", rate="10/h", method="POST", group="accounts:pw-reset")
    by_email = ratelimit(key=asked_address, rate="3/h", method="POST", group="accounts:pw-mail")
    return by_address(by_email(view))


urlpatterns = [
    path(
        "login/",
        views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("welcome/", views.after_login, name="after-login"),
    path("verify/resend/", views.resend_verification, name="verify-resend"),
    path("unlock/", views.unlock_request, name="unlock-request"),
    path("unlock/<uidb64>/<token>/", views.unlock, name="unlock"),
    path("verify/<str:token>/", views.verify_email, name="verify"),
    path(
        "password/change/",
        # The old password is checked by the form, where django-axes does not see it.
        ratelimit(key="user_or_ip", rate="5/h", method="POST", group="accounts:pw-change")(
            auth_views.PasswordChangeView.as_view(
                success_url=reverse_lazy("accounts:password_change_done")
            )
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        # Per address and per e-mail asked for, alike for known and unknown addresses, so
        # the form can neither flood an inbox nor tell which addresses have accounts.
        reset_limits(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                extra_email_context=_email_context,
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
