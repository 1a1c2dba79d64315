"""Subscribing, confirming, preferences and unsubscribing.

Links in e-mails carry a signed token naming one subscriber by id (newsletter.tokens), so no
page needs a login and no URL holds an address. Every state change is a POST: mail scanners
that open links (GET) confirm or unsubscribe nobody.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from caching.pages import public_page

from . import tokens
from .forms import PreferencesForm, SubscribeForm
from .models import Subscriber, normalise_email
from .tasks import send_subscription_email


def typed_address(group, request):
    """The rate-limit key of the address a request asks for (hashed: keys are logged by
    nothing, but caches are inspected by people)."""
    address = normalise_email(request.POST.get("email", ""))[:254]
    return hashlib.sha256(address.encode()).hexdigest()


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", group="newsletter:subscribe-ip")
@ratelimit(key=typed_address, rate="3/h", method="POST", group="newsletter:subscribe-address")
def subscribe(request):
    """The subscribe form (also in every page's footer and at the end of each post).

    CSRF-exempt on purpose: the form is part of pages kept whole in the page cache and at the
    edge, which must not carry a per-reader token, so no token can be checked. This is safe
    because a POST here can only cause one e-mail to the address typed: a confirmation link
    to a pending or unsubscribed address, or "you are subscribed already" to a subscribed
    one. Nothing is changed for an existing subscriber, nothing is shown about the address,
    and both the sender's address and the typed address are rate-limited (a forged cross-site
    POST is no more than anyone can do with the form itself).
    """
    if request.method != "POST":
        return subscribe_page(request)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    if not form.is_robot:
        request_confirmation(form.cleaned_data["email"])
    # The same answer whether the address is new, pending, subscribed or suppressed.
    return redirect("newsletter:subscribe-sent")


@public_page
def subscribe_page(request):
    return render(request, "newsletter/subscribe.html", {"form": SubscribeForm()})


def request_confirmation(address):
    try:
        with transaction.atomic():
            subscriber, _ = Subscriber.objects.get_or_create(email=address)
    except IntegrityError:  # the same address a moment ago, in another request
        subscriber = Subscriber.objects.get(email=address)
    if subscriber.status != Subscriber.Status.SUPPRESSED:
        # From the queue (a row in this database), so the answer takes the same time
        # whatever the address's state.
        send_subscription_email.enqueue(subscriber.pk)


@public_page
def subscribe_sent(request):
    return render(request, "newsletter/subscribe_sent.html")


def subscriber_from(token, purpose):
    subscriber_id = tokens.read(token, purpose)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if subscriber_id else None
    if subscriber is None:
        raise Http404("This link is not valid (any more).")
    return subscriber


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button; the POST (CSRF-protected) confirms. Opening the link is not
    enough, so a mail scanner that follows links subscribes nobody."""
    subscriber = subscriber_from(token, tokens.CONFIRM)
    if request.method == "POST":
        subscriber.confirm()
        return redirect("newsletter:preferences", tokens.make(subscriber, tokens.MANAGE))
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    subscriber = subscriber_from(token, tokens.MANAGE)
    form = PreferencesForm(request.POST or None, instance=subscriber)
    saved = False
    if request.method == "POST" and form.is_valid():
        form.save()
        saved = True
    return render(
        request,
        "newsletter/preferences.html",
        {"subscriber": subscriber, "form": form, "token": token, "saved": saved},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """One-click unsubscribe (RFC 8058): mail clients POST "List-Unsubscribe=One-Click" here,
    with no cookie and no CSRF token, hence csrf_exempt. The signed token is the credential
    and names one subscriber only. A GET (a person following the link, or a scanner) shows a
    button and changes nothing."""
    subscriber = subscriber_from(token, tokens.MANAGE)
    if request.method == "POST":
        subscriber.unsubscribe(issue_id=tokens.issue_in(token, tokens.MANAGE))
        return render(
            request, "newsletter/unsubscribed.html", {"subscriber": subscriber, "token": token}
        )
    return render(
        request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )


@never_cache
@require_POST
def resubscribe(request, token):
    """The signed link came by e-mail, so it proves the mailbox: no new confirmation."""
    subscriber = subscriber_from(token, tokens.MANAGE)
    subscriber.confirm()
    return redirect("newsletter:preferences", token)
