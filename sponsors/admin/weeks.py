"""The weeks listings run: their inline, the queue's filter, compiling a week, and the record
of each week's compiled post."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin

from ..models import ListingWeek, WeeklyPost, this_week


class ListingWeekInline(admin.TabularInline):
    model = ListingWeek
    extra = 0


class WeekFilter(admin.SimpleListFilter):
    title = "week"
    parameter_name = "week"

    def lookups(self, request, model_admin):
        start = this_week()
        weeks = ListingWeek.objects.filter(week__gte=start).values_list("week", flat=True)
        return [(w.isoformat(), f"week of {w:%b %-d, %Y}") for w in sorted(set(weeks))[:12]]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            week = date.fromisoformat(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(weeks__week=week)


def first_week_to_compile():
    """The compile page's proposal: the first week from this one on without a compiled post
    (compiling again is for a change, not the usual next step)."""
    week = this_week()
    compiled = set(WeeklyPost.objects.filter(week__gte=week).values_list("week", flat=True))
    while week in compiled:
        week += timedelta(days=7)
    return week


class CompileWeekForm(forms.Form):
    week = forms.DateField(
        label="Week",
        help_text="Any day of the week; its Monday is used. Compiling again updates the post.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@admin.register(WeeklyPost)
class WeeklyPostAdmin(admin.ModelAdmin):
    list_display = ("week", "post", "compiled_at")
    list_select_related = ("post",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
