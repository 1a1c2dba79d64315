"""The moderation queue: held comments first, each with its post and a rendered preview; bulk
approve, mark as spam and delete. Every action checks the moderate permission on the server
(editors have it, comments.permissions), whatever the page offered. No page here shows a
commenter's e-mail address."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import QUEUE_ORDER, Comment, CommentSettings, Thread


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["status_label", "name", "post_link", "preview", "created", "hold_reason"]
    list_display_links = ["name"]
    list_filter = ["status", "hold_reason"]
    # Names and text only: a search for an address would put it into URLs and logs.
    search_fields = ["name", "body_markdown"]
    list_select_related = ["post"]
    list_per_page = 50
    actions = ["approve", "mark_spam", "delete_comments"]
    fields = ["post", "parent", "name", "website", "preview", "status", "hold_reason", "created"]
    readonly_fields = fields

    def get_ordering(self, request):
        return QUEUE_ORDER

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # soft delete, through the model's verb
        return actions

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    @admin.display(description="status", ordering="status")
    def status_label(self, comment):
        return format_html(
            '<span class="comment-status-{}">{}</span>',
            comment.status,
            comment.get_status_display(),
        )

    @admin.display(description="post")
    def post_link(self, comment):
        return format_html('<a href="{}">{}</a>', comment.get_absolute_url(), comment.post.title)

    @admin.display(description="comment")
    def preview(self, comment):
        # body_html is sanitised on save (comments.rendering): safe to show as HTML.
        return format_html('<div class="comment-preview">{}</div>', mark_safe(comment.body_html))  # noqa: S308

    def _moderate(self, request, queryset, verb, done):
        comments = list(queryset.select_related("post"))
        for comment in comments:
            getattr(comment, verb)(by=request.user)
        self.message_user(request, f"{len(comments)} comment(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve the selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, "approve", "approved")

    @admin.action(description="Mark the selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, "mark_spam", "marked as spam")

    @admin.action(description="Delete the selected comments", permissions=["moderate"])
    def delete_comments(self, request, queryset):
        self._moderate(request, queryset, "delete", "deleted")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """One post's comments opened or closed."""

    list_display = ["post", "is_open"]
    list_editable = ["is_open"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]

    def delete_queryset(self, request, queryset):
        for thread in queryset:
            thread.delete()  # one by one: each renews its post's version


@admin.register(CommentSettings)
class CommentSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CommentSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
