"""Admin pages of a post beyond the change form: its revisions and its secret preview link."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from .models import Revision

SUMMARY_FIELDS = ("title", "status", "publish_at", "excerpt", "body", "tags")


def _post_for(model_admin, request, post_id):
    """The post, if this user may change it; others get the admin's 'not found' behaviour."""
    post = get_object_or_404(model_admin.get_queryset(request), pk=post_id)
    if not model_admin.has_change_permission(request, post):
        raise PermissionDenied
    return post


def changes_between(older, newer):
    """Names of what differs between two snapshots, in words an editor reads."""
    if older is None:
        return ["first version"]
    changed = [field for field in SUMMARY_FIELDS if older.get(field) != newer.get(field)]
    for part in ("stats", "quotes", "items"):
        if older.get(part) != newer.get(part):
            changed.append(f"{part} ({len(older.get(part, []))} → {len(newer.get(part, []))})")
    return changed or ["no changes"]


def revisions(model_admin):
    def view(request, post_id):
        post = _post_for(model_admin, request, post_id)
        history = list(post.revisions.select_related("saved_by"))
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


def restore_revision(model_admin):
    @require_POST
    def view(request, post_id, revision_id):
        post = _post_for(model_admin, request, post_id)
        revision = get_object_or_404(Revision, pk=revision_id, post=post)
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
