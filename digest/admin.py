from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from .forms import PostAdminForm
from .models import Post, StaleEdit


class VisibilityFilter(admin.SimpleListFilter):
    """Draft, scheduled or published, by the same queryset rules readers are served by."""

    title = "status"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")]

    def queryset(self, request, queryset):
        rules = {
            "draft": queryset.drafts,
            "scheduled": queryset.scheduled,
            "published": queryset.published,
        }
        return rules[self.value()]() if self.value() in rules else queryset


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostAdminForm
    list_display = ("title", "status_label", "kind", "author", "publish_at", "view_link")
    list_filter = (VisibilityFilter, "kind", "tags", "author")
    list_select_related = ("author",)
    search_fields = ("title", "excerpt", "body", "byline")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author",)
    readonly_fields = ("created", "updated", "version")
    list_per_page = 50
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "kind",
                    "status",
                    "publish_at",
                    "author",
                    "tags",
                    "loaded_version",
                )
            },
        ),
        ("Lead image", {"fields": ("lead_image", "lead_image_caption")}),
        ("Text", {"fields": ("byline", "excerpt", "body")}),
        ("History", {"classes": ("collapse",), "fields": ("created", "updated", "version")}),
    )

    @admin.display(description="status", ordering="status")
    def status_label(self, post):
        colours = {"Draft": "#777", "Scheduled": "#b26b00", "Published": "#1a7f37"}
        label = post.display_status
        return format_html('<strong style="color:{}">{}</strong>', colours[label], label)

    @admin.display(description="")
    def view_link(self, post):
        if not post.is_published:
            return ""
        return format_html('<a href="{}">View on site</a>', post.get_absolute_url())

    def edits_everything(self, request):
        """Editors see and change every post; Authors only their own, and no sponsored posts."""
        return request.user.has_perm("digest.edit_others_posts")

    def get_queryset(self, request):
        posts = super().get_queryset(request)
        return posts if self.edits_everything(request) else posts.filter(author=request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if self.edits_everything(request) else (*fields, "author")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and not self.edits_everything(request):
            kwargs["choices"] = [c for c in Post.Kind.choices if c[0] != Post.Kind.SPONSORED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not self.edits_everything(request) and not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit as error:
            # Someone saved between the form's check and our write: nothing was written.
            messages.error(request, f"{error} Nothing was overwritten; here is their version.")
            return HttpResponseRedirect(request.path)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}
