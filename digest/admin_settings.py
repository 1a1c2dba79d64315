"""The admin of the site's settings record and of tags (registered when digest.admin loads)."""

from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from taggit.models import Tag

from .models import SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One record: the list goes straight to it; it can be neither added twice nor deleted."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = (
        "site_name",
        "tagline",
        "support_blurb",
        "support_url",
        "closing_line",
        "empty_section_text",
        "favourites_url",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        SiteSettings.objects.get_or_create(pk=1)
        return redirect(reverse("admin:digest_sitesettings_change", args=[1]))


# django-taggit's own tag admin offers a "merge tags" action whose view checks no
# permission (an author could re-tag everyone's posts) and fails on an empty selection.
# Ours is the same list without it; editors rename or delete tags instead.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
