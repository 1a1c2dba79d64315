"""Admin pages of a post beyond the change form: its revisions, its secret preview link, and
the composer's helpers (autosave, Markdown and reader previews, link check)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from .admin_preview import post_in_hand, render_preview
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


# An autosave or a reader preview is the post's form without its files: a digest of a few
# hundred parts is well under this; more is not a form of ours.
AUTOSAVE_MAX_BYTES = 512 * 1024
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


def reader_preview(model_admin):
    """The composer's reader preview: the POSTed form, unsaved, as the index and the post's
    page would show it (digest.admin_preview). For a new post or one this user may change."""

    @require_POST
    @ratelimit(key="user", rate="60/m", block=True)
    def view(request, post_id=None):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > AUTOSAVE_MAX_BYTES:
            return JsonResponse(
                {"error": "too large to preview here: save it and use “Preview” above"},
                status=413,
            )
        if post_id is None:
            if not model_admin.has_add_permission(request):
                raise PermissionDenied
            post = None
        else:
            post = _post_for(model_admin, request, post_id)
        post, _, problems = post_in_hand(model_admin, request, post)
        return JsonResponse({**render_preview(request, post), "problems": problems})

    return view


def covered_links(model_admin):
    """The composer's "Check links": each link of the saved digest that the site published
    before, or that appears twice in it (digest.covered)."""

    def view(request, post_id):
        post = _post_for(model_admin, request, post_id)
        report, cut = check_digest_links(post)
        return JsonResponse({"links": report, "more_not_checked": cut})

    return view


# What the browser sends besides the form's fields (the token is in a header, too).
AUTOSAVE_SKIPPED = {"csrfmiddlewaretoken"}


def autosave(model_admin):
    """The composer's autosave: this editor's unsaved form kept as their draft revision
    (Revision.autosave), never written to the post, so no one's save is overwritten and no
    form turns stale. `discard` forgets it. Answers when it was kept and, if the post was
    saved since the form was opened, by whom and when (saving then shows the merge)."""

    @require_POST
    @ratelimit(key="user", rate="12/m", block=True)
    def view(request, post_id):
        # The declared length, before anything reads the body (Django's own limit on a body
        # read into memory, DATA_UPLOAD_MAX_MEMORY_SIZE, holds for one that says less).
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > AUTOSAVE_MAX_BYTES:
            return JsonResponse({"error": "Too large to autosave."}, status=413)
        post = _post_for(model_admin, request, post_id)
        if request.POST.get("discard"):
            Revision.discard_autosave(post, request.user)
            return JsonResponse({"discarded": True})
        loaded = request.POST.get("loaded_version", "")
        if not loaded.isdigit():
            return JsonResponse({"error": "The form does not say which version it is."}, status=400)
        fields = {k: v for k, v in request.POST.items() if k not in AUTOSAVE_SKIPPED}
        try:
            kept = Revision.autosave(post, request.user, fields, int(loaded))
        except ValueError as refusal:
            return JsonResponse({"error": str(refusal)}, status=409)
        answer = {"saved_at": kept.saved_at.isoformat(), "version": kept.version}
        if post.version != kept.version:
            last = post.revisions.saves().select_related("saved_by").first()
            when = formats.date_format(timezone.localtime(post.updated), "DATETIME_FORMAT")
            answer["newer"] = {
                "by": str(last.saved_by) if last and last.saved_by else "",
                "at": when,
            }
        return JsonResponse(answer)

    return view
