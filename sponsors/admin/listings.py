"""The editors' side: a moderation queue for listings, sponsors, and compiling the week."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from . import notifications
from .compiling import NothingToCompile, compile_week
from .forms import HTTP_URL, LogoMixin, ReviewNoteForm
from .models import (
    Listing,
    ListingWeek,
    Sponsor,
    WeeklyPost,
    moderation_order,
    this_week,
    week_of,
)

WEEKS = Prefetch("weeks", queryset=ListingWeek.objects.order_by("week"))


SPONSOR_FIELDS = ["name", "slug", "website", "description", "logo", "managers"]


class SponsorAdminForm(LogoMixin, forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", validators=[HTTP_URL])

    class Meta:
        model = Sponsor
        fields = SPONSOR_FIELDS


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    form = SponsorAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "website", "manager_list", "created")
    search_fields = ("name", "managers__email")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("managers",)
    readonly_fields = ("logo_preview",)
    fields = (*SPONSOR_FIELDS[:5], "logo_preview", "managers")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("managers")

    @admin.display(description="managers")
    def manager_list(self, sponsor):
        return ", ".join(user.email for user in sponsor.managers.all()) or "–"

    @admin.display(description="current logo")
    def logo_preview(self, sponsor):
        if not sponsor.logo:
            return "–"
        return format_html('<img src="{}" alt="" style="max-height:80px">', sponsor.logo.url)


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


class CompileWeekForm(forms.Form):
    week = forms.DateField(
        label="Week",
        help_text="Any day of the week; its Monday is used. Compiling again updates the post.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ListingAdminForm(forms.ModelForm):
    link_url = forms.URLField(
        label="Call-to-action link",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[HTTP_URL],
    )

    class Meta:
        model = Listing
        fields = ["sponsor", "section", "text", "link_url", "link_label", "status", "review_note"]

    def clean(self):
        cleaned = super().clean()
        rejecting = "status" in self.changed_data and cleaned.get("status") == (
            Listing.Status.REJECTED
        )
        if rejecting and not (cleaned.get("review_note") or "").strip():
            self.add_error(
                "review_note",
                "Say why it is rejected: the note is e-mailed to the sponsor with the decision.",
            )
        return cleaned


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    form = ListingAdminForm
    list_display = (
        "sponsor_name",
        "preview",
        "section",
        "week_list_display",
        "status_label",
        "click_count",
    )
    list_display_links = ("sponsor_name",)
    ordering = moderation_order()
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("status", "section", WeekFilter)
    list_per_page = 50
    search_fields = ("text", "sponsor__name")
    autocomplete_fields = ("sponsor",)
    inlines = [ListingWeekInline]
    actions = ["approve", "reject", "compile_weeks"]
    fields = (
        "sponsor",
        "section",
        "text",
        "link_url",
        "link_label",
        "status",
        "review_note",
        "rendered",
        "submitted_by",
        "reviewed_by",
        "reviewed_at",
    )
    readonly_fields = ("rendered", "submitted_by", "reviewed_by", "reviewed_at")
    change_list_template = "admin/sponsors/listing/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sponsor")
            .prefetch_related(WEEKS)
            .with_click_counts()
        )

    @admin.display(description="sponsor", ordering="sponsor__name")
    def sponsor_name(self, listing):
        return listing.sponsor.name if listing.sponsor_id else "(no sponsor)"

    @admin.display(description="listing, as readers will see it")
    def preview(self, listing):
        link = (
            format_html(
                ' <a href="{}" rel="nofollow noopener">{}</a>',
                listing.link_url,
                listing.link_label or "Find out more",
            )
            if listing.link_url
            else ""
        )
        return format_html(
            '<div class="listing-preview">{}{}</div>',
            mark_safe(listing.text_html),  # noqa: S308 -- sanitised on save (digest.markdown)
            link,
        )

    @admin.display(description="as readers will see it")
    def rendered(self, listing):
        return self.preview(listing) if listing.pk else "–"

    @admin.display(description="weeks")
    def week_list_display(self, listing):
        return format_html_join(", ", "{}", ((f"{w:%b %-d}",) for w in listing.week_list()))

    @admin.display(description="status", ordering="status")
    def status_label(self, listing):
        label = listing.get_status_display()
        if listing.status == Listing.Status.REJECTED and listing.review_note:
            return format_html("{}<br><small>“{}”</small>", label, listing.review_note[:120])
        return label

    @admin.display(description="clicks", ordering="click_count")
    def click_count(self, listing):
        return listing.click_count

    def save_model(self, request, obj, form, change):
        decided = "status" in form.changed_data and obj.status in (
            Listing.Status.APPROVED,
            Listing.Status.REJECTED,
        )
        if decided:
            obj.reviewed_by = request.user
            obj.reviewed_at = timezone.now()
        super().save_model(request, obj, form, change)
        # Per request, not on the ModelAdmin: one instance serves every request.
        request.sponsors_decided = obj if decided else None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inline weeks are saved, so the e-mail names the right weeks (not the ones
        # prefetched when the form was opened).
        listing = getattr(request, "sponsors_decided", None)
        if listing:
            listing._prefetched_objects_cache.pop("weeks", None)
            notifications.listings_decided([listing])
            self.warn_compiled_weeks(request, [listing])

    def decide(self, request, queryset, status, note=""):
        # A withdrawn listing is the sponsor's to keep; one already decided this way is not
        # decided again (that would re-mail the sponsor and reorder its week's post).
        listings = list(queryset.exclude(status__in=[Listing.Status.WITHDRAWN, status]))
        skipped = queryset.count() - len(listings)
        with transaction.atomic():
            for listing in listings:
                listing.decide(status, request.user, note)
            notifications.listings_decided(listings)
        self.warn_compiled_weeks(request, listings)
        verb = "approved" if status == Listing.Status.APPROVED else "rejected"
        self.message_user(
            request,
            f"{len(listings)} listing{'s' if len(listings) != 1 else ''} {verb}; "
            "the sponsors were e-mailed.",
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                f"{skipped} listing{'s were' if skipped != 1 else ' was'} left alone "
                "(withdrawn, or already decided this way).",
                messages.WARNING,
            )

    def warn_compiled_weeks(self, request, listings):
        """A compiled post is a snapshot: say which weeks need compiling again."""
        weeks = WeeklyPost.objects.filter(
            week__in=ListingWeek.objects.filter(listing__in=listings).values("week")
        ).values_list("week", flat=True)
        if weeks:
            days = ", ".join(f"{week:%B %-d}" for week in sorted(weeks))
            self.message_user(
                request,
                f"The sponsored post of the week of {days} is already compiled: compile it "
                "again to show this decision.",
                messages.WARNING,
            )

    @admin.action(description="Approve the selected listings", permissions=["change"])
    def approve(self, request, queryset):
        self.decide(request, queryset, Listing.Status.APPROVED)

    @admin.action(description="Reject the selected listings (with a note)…", permissions=["change"])
    def reject(self, request, queryset):
        form = ReviewNoteForm(request.POST if "review_note" in request.POST else None)
        if form.is_valid():
            self.decide(
                request, queryset, Listing.Status.REJECTED, form.cleaned_data["review_note"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject listings",
            "opts": self.model._meta,
            "listings": queryset.select_related("sponsor"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sponsors/listing/reject.html", context)

    @admin.action(
        description="Compile the sponsored posts of the weeks the selected listings run",
        permissions=["change"],
    )
    def compile_weeks(self, request, queryset):
        weeks = sorted(
            set(
                ListingWeek.objects.filter(listing__in=queryset, week__gte=this_week()).values_list(
                    "week", flat=True
                )
            )
        )
        if not weeks:
            self.message_user(
                request,
                "None of the selected listings runs this week or later; nothing was compiled.",
                messages.WARNING,
            )
        for week in weeks:
            self.compile_and_report(request, week)

    def compile_and_report(self, request, week):
        if not request.user.has_perms(["digest.add_post", "digest.change_post"]):
            raise PermissionDenied
        try:
            post, created = compile_week(week, author=request.user)
        except NothingToCompile as empty:
            self.message_user(request, f"{empty} Nothing was compiled.", messages.WARNING)
            return None
        change_url = reverse("admin:digest_post_change", args=[post.pk])
        self.message_user(
            request,
            format_html(
                '{} the sponsored post of the week of {}: <a href="{}">{}</a> ({})',
                "Created" if created else "Updated",
                f"{week:%B %-d, %Y}",
                change_url,
                post.title,
                post.display_status.lower(),
            ),
            messages.SUCCESS,
        )
        return post

    def get_urls(self):
        compile_view = self.admin_site.admin_view(self.compile_view)
        return [
            path("compile/", compile_view, name="sponsors_listing_compile"),
            *super().get_urls(),
        ]

    def compile_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = CompileWeekForm(request.POST or None, initial={"week": this_week()})
        if request.method == "POST" and form.is_valid():
            self.compile_and_report(request, week_of(form.cleaned_data["week"]))
            return redirect("admin:sponsors_listing_changelist")
        recent = WeeklyPost.objects.select_related("post")[:8]
        context = {
            **self.admin_site.each_context(request),
            "title": "Compile a sponsored post",
            "opts": self.model._meta,
            "form": form,
            "recent": recent,
        }
        return TemplateResponse(request, "admin/sponsors/listing/compile.html", context)


@admin.register(WeeklyPost)
class WeeklyPostAdmin(admin.ModelAdmin):
    list_display = ("week", "post", "compiled_at")
    list_select_related = ("post",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
