from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from . import lockout, verification
from .forms import AVATAR_MAX_BYTES, ProfileForm
from .models import Role


class SiteContextMixin:
    """Django's login and logout views put the request's host in the context as `site` and
    `site_name`, over the site's own (the context processor's): the page would be titled
    "Log in – 127.0.0.1:8101" and branded with the host."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.pop("site", None)
        context.pop("site_name", None)
        return context


class LoginView(SiteContextMixin, auth_views.LoginView):
    pass


class LogoutView(SiteContextMixin, auth_views.LogoutView):
    pass


@login_required
def after_login(request):
    """Where a login without ?next= lands: editors in the admin, sponsors on their dashboard
    (by URL name: accounts imports no other app), everyone else on the front page."""
    if request.user.is_staff:
        return redirect("admin:index")
    if request.user.has_role(Role.SPONSORS):
        return redirect("sponsors:dashboard")
    return redirect("digest:post-index")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile was saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


# Read by hardening's body limit: a request here may carry an avatar on top of the form.
profile.max_upload_bytes = AVATAR_MAX_BYTES


def verify_email(request, token):
    """Confirms the address a signed link was sent to (GET: the link is opened from a mail)."""
    try:
        user, next_url = verification.check_token(token)
    except verification.VerificationFailed as failure:
        return render(request, "accounts/verify_failed.html", {"reason": str(failure)}, status=400)
    verification.verify(user)
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        next_url = reverse("accounts:profile")
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    if request.user != user:
        return redirect_to_login(next_url)
    return redirect(next_url)


@require_POST
@login_required
@ratelimit(key="user", rate="5/h", method="POST", group="accounts:verify-resend")
def resend_verification(request):
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("accounts:profile")
    if request.user.email_verified:
        messages.info(request, "Your e-mail address is already confirmed.")
    else:
        verification.send_verification_email(request.user, next_url)
        messages.success(request, f"We sent a new link to {request.user.email}.")
    return redirect(next_url)


def typed_account(group, request):
    # Counted as the lockout counts names: an e-mail address and a username alike, any case.
    return request.POST.get("username", "").strip().lower()


@require_POST
@ratelimit(key="ip", rate="10/h", method="POST", group="accounts:unlock-ip")
@ratelimit(key=typed_account, rate="3/h", method="POST", group="accounts:unlock-mail")
def unlock_request(request):
    """The locked-out page's button: e-mail the owner of the account named a link that
    unlocks logging in from their browser. The answer is the same whether or not such an
    account exists, so the button tells nobody which accounts do."""
    user = lockout.account_named(request.POST.get("username"))
    if user is not None and user.email:
        lockout.send_unlock_email(user)
    return render(request, "accounts/unlock_sent.html")


def unlock(request, uidb64, token):
    """An unlock link from the e-mail: a button (a mail scanner opening the link unlocks
    nothing), then this browser may log in to the account past the locks."""
    user = lockout.user_for_link(uidb64, token)
    if user is None:
        return render(request, "accounts/unlock.html", {"valid": False}, status=400)
    if request.method != "POST":
        return render(request, "accounts/unlock.html", {"valid": True, "account": user})
    response = redirect("accounts:login")
    lockout.unlock_browser(response, user)
    messages.success(
        request,
        f"Logging in to {user.get_username()} from this browser is unlocked for a day. "
        "Log in below.",
    )
    return response
