from django.contrib import admin

from .models import Listing, ListingWeek, Sponsor


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "created")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("managers",)


class ListingWeekInline(admin.TabularInline):
    model = ListingWeek
    extra = 0


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("short_text", "sponsor", "section", "status", "created")
    list_filter = ("status", "section")
    list_select_related = ("sponsor",)
    search_fields = ("text", "sponsor__name")
    autocomplete_fields = ("sponsor",)
    inlines = [ListingWeekInline]

    @admin.display(description="listing")
    def short_text(self, listing):
        return listing.text[:80]
