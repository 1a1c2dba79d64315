"""Writing, editing and following comments. Thin: the rules live in comments.models.

Post pages are cached whole (at the origin and for a second at the edge) and must not carry
a per-reader token, so the form in them holds none. When a reader starts writing, a small
script (static/js/comments.js) fetches `form_token`, a never-cached answer that gives the
browser a CSRF cookie and token and the form's time trap; the comment is then POSTed with
both, and every view here that changes something is CSRF-protected as usual. The only
exemption is the one-click unsubscribe, which mail clients POST with no cookie (RFC 8058).
The CSRF cookie takes that reader out of the shared page caches from then on (caching.pages),
as it does for anyone who holds one; readers who never write keep getting cached pages.
Without script, the page's <noscript> leads to `write`, a never-cached page with the form.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from accounts.network import client_ip
from digest.models import Post
from newsletter import tokens
from newsletter.models import normalise_email

from . import notifications, tasks
from .forms import CommentForm, EditForm, trap_token
from .models import EDIT_WINDOW, Comment, ThreadSubscription


def typed_address(group, request):
    """The rate-limit key of who a comment is sent as (hashed): a signed-in writer's account
    (the form sends them no address), else the address typed. A form sent with none is keyed
    by the reader's network address: one shared key for every empty field would let anyone
    use up the limit of every signed-in writer."""
    if request.user.is_authenticated:
        sender = f"user:{request.user.pk}"
    else:
        address = normalise_email(request.POST.get("email", ""))[:254]
        sender = f"email:{address}" if address else f"ip:{client_ip(request)}"
    return hashlib.sha256(sender.encode()).hexdigest()


def address_rate(group, request):
    return settings.COMMENTS_RATE_PER_ADDRESS


def email_rate(group, request):
    return settings.COMMENTS_RATE_PER_EMAIL


@never_cache
@require_GET
@ratelimit(key="ip", rate="60/m", group="comments:token", block=True)
def form_token(request):
    """What a cached page's form needs to be sent: a CSRF token (and its cookie) and the
    time trap. Never cached, by anyone."""
    return JsonResponse({"csrf": get_token(request), "trap": trap_token()})


def comment_html(comment):
    return render_to_string("comments/_comment.html", {"comment": comment, "is_own": True})


@never_cache
@require_POST
@ratelimit(key="ip", rate=address_rate, group="comments:post-ip", block=True)
@ratelimit(
    key=typed_address,
    rate=email_rate,
    group="comments:post-email",
    block=True,
)
def post_comment(request, post_id):
    """The form's POST: JSON for the page's script; a page for a browser without it (the
    form of `write`)."""
    post = get_object_or_404(Post.objects.published().select_related("author"), pk=post_id)
    as_page = "application/json" not in request.headers.get("Accept", "")
    if not Comment.is_open_on(post):
        if as_page:  # the form of `write`, sent after its post closed: a page, not JSON
            raise PermissionDenied("Comments are closed on this post.")
        return JsonResponse({"error": "Comments are closed on this post."}, status=403)
    form = CommentForm(request.POST, user=request.user)
    if not form.is_valid():
        if as_page:
            return write_page(request, post, form, status=400)
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    if form.is_robot:
        # The same answer a held comment gets, so a robot learns nothing.
        if as_page:
            return render(request, "comments/sent.html", {"post": post, "comment": None})
        return JsonResponse({"status": Comment.Status.PENDING, "id": None})
    comment, key = Comment.submit(
        post,
        **form.identity(),
        website=form.cleaned_data["website"],
        body=form.cleaned_data["body"],
        parent=form.parent_in(post),
        user=request.user,
        ip=client_ip(request),
    )
    if form.cleaned_data["notify"]:
        subscription = ThreadSubscription.request(post, comment.email)
        if subscription is not None:
            tasks.send_thread_confirmation.enqueue(subscription.pk)
    if as_page:
        if comment.is_visible:
            return redirect(comment.get_absolute_url())
        return render(request, "comments/sent.html", {"post": post, "comment": comment})
    return JsonResponse(
        {
            "status": comment.status,
            "id": comment.pk,
            "anchor": comment.anchor,
            "html": comment_html(comment),
            "markdown": comment.body_markdown,
            "edit_key": key,
            "edit_seconds": int(EDIT_WINDOW.total_seconds()),
        },
        status=201,
    )


def write_page(request, post, form, status=200):
    return render(
        request,
        "comments/write.html",
        {"post": post, "form": form, "trap": trap_token()},
        status=status,
    )


@never_cache
@require_GET
def write(request, post_id):
    """The form on a page of its own, never cached, with its CSRF token and time trap in
    it: the way to comment for a browser that runs no script."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    if not Comment.is_open_on(post):
        raise Http404("Comments are closed on this post.")
    return write_page(request, post, CommentForm(user=request.user))


def editable(request, pk):
    """The comment and the form, when the request holds its edit key in time; else 404."""
    form = EditForm(request.POST)
    comment = Comment.objects.select_related("post").filter(pk=pk).first()
    if not form.is_valid() or comment is None or not comment.may_edit(form.cleaned_data["key"]):
        raise Http404("This comment can no longer be changed from here.")
    return comment, form


@never_cache
@require_POST
@ratelimit(key="ip", rate="30/m", group="comments:edit", block=True)
def edit_comment(request, pk):
    comment, form = editable(request, pk)
    body = form.cleaned_data["body"].strip()
    if not body:
        return JsonResponse({"errors": {"body": [{"message": "Write something."}]}}, status=400)
    comment.edit(body)
    return JsonResponse(
        {
            "status": comment.status,
            "id": comment.pk,
            "html": comment_html(comment),
            "markdown": comment.body_markdown,
        }
    )


@never_cache
@require_POST
@ratelimit(key="ip", rate="30/m", group="comments:edit", block=True)
def delete_comment(request, pk):
    comment, _form = editable(request, pk)
    comment.delete()
    return JsonResponse({"status": comment.status, "id": comment.pk})


def subscription_from(token, purpose):
    subscription_id = tokens.read(token, purpose)
    subscription = (
        ThreadSubscription.objects.select_related("post").filter(pk=subscription_id).first()
        if subscription_id
        else None
    )
    if subscription is None:
        raise Http404("This link is not valid (any more).")
    return subscription


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def thread_confirm(request, token):
    """GET shows a button, the POST (CSRF-protected) confirms: a mail scanner that opens the
    link follows nothing."""
    subscription = subscription_from(token, notifications.CONFIRM)
    if request.method == "POST":
        subscription.confirm()
    return render(
        request,
        "comments/thread_confirm.html",
        {"subscription": subscription, "done": request.method == "POST"},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def thread_unsubscribe(request, token):
    """One-click unsubscribe from one thread (RFC 8058): mail clients POST here with no
    cookie, hence csrf_exempt; the signed token is the credential and names one subscription.
    A GET shows a button and changes nothing."""
    subscription = subscription_from(token, notifications.MANAGE)
    if request.method == "POST":
        subscription.unsubscribe()
    return render(
        request,
        "comments/thread_unsubscribe.html",
        {"subscription": subscription, "done": request.method == "POST", "token": token},
    )
