from django.contrib import admin
from django.utils.html import format_html

from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "status_label", "kind", "author", "publish_at", "view_link")
    list_filter = ("status", "kind", "tags", "author")
    list_select_related = ("author",)
    search_fields = ("title", "excerpt", "body", "byline")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author",)
    readonly_fields = ("created", "updated", "version")
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "status", "publish_at", "author", "tags")}),
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

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}
