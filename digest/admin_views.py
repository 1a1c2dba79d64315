"""Admin pages of a post beyond the change form: its revisions and its secret preview link."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from .covered import check_digest_links
from .markdown import render_markdown
from .models import Revision
from .models.revision import changes_between, compare


def _post_for(model_admin, request, post_id):
    """The post, if this user may change it; others get the admin's 'not found' behaviour."""
    post = get_object_or_404(model_admin.get_queryset(request), pk=post_id)
    if not model_admin.has_change_permission(request, post):
        raise PermissionDenied
    return post


def revisions(model_admin):
    def view(request, post_id):
        post = _post_for(model_admin, request, post_id)
        history = list(post.revisions.saves().select_related("saved_by"))
        rows = [
            (revision, changes_between(older.data if older else None, revision.data))
            for revision, older in zip(history, [*history[1:], None], strict=False)
        ]
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"Revisions of “{post}”",
            "opts": model_admin.model._meta,
            "original": post,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/digest/post/revisions.html", context)

    return view


def compare_revisions(model_admin):
    """One revision as it was, and what differs between it and another (by default the
    current one): read before restoring."""

    def view(request, post_id, revision_id):
        post = _post_for(model_admin, request, post_id)
        history = post.revisions.saves().select_related("saved_by")
        shown = get_object_or_404(history, pk=revision_id)
        against_id = request.GET.get("against", "")
        if against_id and not against_id.isdigit():
            return HttpResponseBadRequest("“against” is a revision number.")
        against = get_object_or_404(history, pk=against_id) if against_id else history.first()
        older, newer = sorted((shown, against), key=lambda r: (r.saved_at, r.pk))
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"Version {shown.version} of “{post}”",
            "opts": model_admin.model._meta,
            "original": post,
            "shown": shown,
            "against": against,
            "older": older,
            "newer": newer,
            "differences": compare(older.data, newer.data) if older != newer else [],
            "history": history,
            "is_current": shown == history.first(),
        }
        return TemplateResponse(request, "admin/digest/post/revision_compare.html", context)

    return view


def restore_revision(model_admin):
    @require_POST
    def view(request, post_id, revision_id):
        post = _post_for(model_admin, request, post_id)
        revision = get_object_or_404(Revision.objects.saves(), pk=revision_id, post=post)
        revision.restore(by=request.user)
        messages.success(
            request,
            f"Version {revision.version} is restored. The version it replaced is kept in the "
            "revisions, so this can be undone too.",
        )
        return redirect(reverse("admin:digest_post_change", args=[post.pk]))

    return view


def preview_link(model_admin):
    @require_POST
    def view(request, post_id):
        post = _post_for(model_admin, request, post_id)
        if request.POST.get("action") == "revoke":
            post.revoke_preview_token()
            messages.success(request, "The secret preview link no longer works.")
        else:
            post.make_preview_token()
            url = request.build_absolute_uri(
                reverse("digest:secret-preview", kwargs={"token": post.preview_token})
            )
            messages.success(
                request,
                f"Secret preview link (anyone with it can read this post until it is published "
                f"or you revoke the link): {url}",
            )
        return redirect(reverse("admin:digest_post_change", args=[post.pk]))

    return view


# The composer's preview: the same renderer and sanitiser as a save, for text up to this size.
PREVIEW_MAX_CHARS = 100_000


def markdown_preview(model_admin):
    @require_POST
    @ratelimit(key="user", rate="120/m", block=True)
    def view(request):
        if not model_admin.has_add_permission(request) and not model_admin.has_change_permission(
            request
        ):
            raise PermissionDenied
        text = request.POST.get("text", "")
        if len(text) > PREVIEW_MAX_CHARS:
            return JsonResponse({"error": "Too long to preview."}, status=413)
        return JsonResponse({"html": render_markdown(text)})

    return view


def covered_links(model_admin):
    """The composer's "Check links": each link of the saved digest that the site published
    before, or that appears twice in it (digest.covered)."""

    def view(request, post_id):
        post = _post_for(model_admin, request, post_id)
        report, cut = check_digest_links(post)
        return JsonResponse({"links": report, "more_not_checked": cut})

    return view
