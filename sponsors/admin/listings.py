"""The editors' side of listings: the moderation queue, decisions, and compiling the week."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..compiling import NothingToCompile, compile_week
from ..forms import ReviewNoteForm, WebAddressField
from ..models import (
    ChangedSinceSeen,
    IllegalTransition,
    Listing,
    ListingWeek,
    Sponsor,
    WeeklyPost,
    moderation_order,
    this_week,
    week_of,
)
from .review import seen_field, seen_version, warn_compiled_weeks, warn_lookalikes
from .weeks import CompileWeekForm, ListingWeekInline, WeekFilter, first_week_to_compile

WEEKS = Prefetch("weeks", queryset=ListingWeek.objects.order_by("week"))
# The statuses an editor may choose in the change form, and the verb each one is.
DECISIONS = {Listing.Status.APPROVED: "approve", Listing.Status.REJECTED: "reject"}


class ListingAdminForm(forms.ModelForm):
    """The listing's change form. It remembers the version the editor opened, so a save or a
    decision made on text the sponsor has changed since is refused (Listing.save)."""

    link_url = WebAddressField(label="Call-to-action link", required=False, max_length=500)
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Listing
        fields = ["sponsor", "section", "text", "link_url", "link_label", "status", "review_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    @property
    def decision(self):
        """The verb ("approve" or "reject") the editor chose by changing the status, or None."""
        if "status" not in self.changed_data:
            return None
        return DECISIONS.get(self.cleaned_data.get("status"))

    def clean(self):
        cleaned = super().clean()
        if "status" not in self.changed_data:
            return cleaned
        if self.decision is None:
            self.add_error("status", "An editor approves or rejects a listing; nothing else.")
        # The listing's own rule, checked before anything is saved (the instance still has
        # the status it was opened with).
        elif refusal := self.instance.refusal(self.decision, cleaned.get("review_note") or ""):
            field = "review_note" if refusal == Listing.NOTE_NEEDED else "status"
            self.add_error(field, refusal)
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
        "loaded_version",
    )
    readonly_fields = ("rendered", "submitted_by", "reviewed_by", "reviewed_at")
    change_list_template = "admin/sponsors/listing/change_list.html"

    def get_queryset(self, request):
        lookalike = Sponsor.objects.filter(name_skeleton=OuterRef("sponsor__name_skeleton"))
        return (
            super()
            .get_queryset(request)
            .select_related("sponsor")
            .prefetch_related(WEEKS)
            .with_click_counts()
            .annotate(
                sponsor_looks_like_another=Exists(lookalike.exclude(pk=OuterRef("sponsor_id")))
            )
        )

    @admin.display(description="sponsor", ordering="sponsor__name")
    def sponsor_name(self, listing):
        if not listing.sponsor_id:
            return "(no sponsor)"
        if getattr(listing, "sponsor_looks_like_another", False):
            return format_html(
                '{} <strong class="lookalike">⚠ looks like another sponsor</strong>',
                listing.sponsor.name,
            )
        return listing.sponsor.name

    def change_view(self, request, object_id, form_url="", extra_context=None):
        listing = self.get_object(request, object_id)
        if request.method == "GET" and listing is not None and listing.sponsor_id:
            warn_lookalikes(request, listing.sponsor.name, listing.sponsor.lookalikes())
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="listing, as readers will see it")
    def preview(self, listing):
        # The version of the text shown travels with the actions' form: an approval is of
        # this text, and is refused if the sponsor changes it before the editor acts.
        return format_html(
            '{}<input type="hidden" name="{}" value="{}">',
            self.as_readers_see_it(listing),
            seen_field(listing.pk),
            listing.version,
        )

    def as_readers_see_it(self, listing):
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
        return self.as_readers_see_it(listing) if listing.pk else "–"

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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ChangedSinceSeen:
            messages.error(
                request,
                "The sponsor changed this listing after you opened it, so nothing was saved "
                "or decided. Here it is as it stands now.",
            )
            return HttpResponseRedirect(request.path)
        except IllegalTransition as refused:  # decided elsewhere since the form was checked
            messages.error(request, f"{refused} Nothing was saved.")
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        if form.decision:
            # The other fields are saved here; the decision is the listing's verb, made once
            # the weeks are saved too (save_related), so its e-mail names them.
            obj.status = form.initial.get("status", Listing.Status.PENDING)
        if change and form.cleaned_data.get("loaded_version") is not None:
            obj.version = form.cleaned_data["loaded_version"]
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        listing = form.instance
        if form.decision == "approve":
            listing.approve(by=request.user, note=listing.review_note)
        elif form.decision == "reject":
            listing.reject(by=request.user, note=listing.review_note)
        if form.decision:
            warn_compiled_weeks(request, [listing])

    def decide(self, request, queryset, verb, note=""):
        # The listing's verb decides what may be decided: a withdrawn listing is the
        # sponsor's to keep, and one decided already is not decided again (that would re-mail
        # the sponsor and reorder its week's post).
        decided, changed, skipped = [], [], 0
        with transaction.atomic():
            for listing in queryset.select_related("sponsor"):
                seen = seen_version(request, listing)
                try:
                    if verb == "approve":
                        listing.approve(by=request.user, seen_version=seen)
                    else:
                        listing.reject(by=request.user, note=note, seen_version=seen)
                except ChangedSinceSeen:
                    changed.append(listing)
                except IllegalTransition:
                    skipped += 1
                else:
                    decided.append(listing)
        warn_compiled_weeks(request, decided)
        verb = "approved" if verb == "approve" else "rejected"
        self.message_user(
            request,
            f"{len(decided)} listing{'s' if len(decided) != 1 else ''} {verb}; "
            "the sponsors were e-mailed.",
            messages.SUCCESS if decided else messages.WARNING,
        )
        if changed:
            names = ", ".join(
                sorted({str(listing.sponsor or "(no sponsor)") for listing in changed})
            )
            self.message_user(
                request,
                f"{len(changed)} listing{'s were' if len(changed) != 1 else ' was'} not "
                f"{verb}: changed by the sponsor after you opened the list ({names}). Read "
                "the new text, then decide again.",
                messages.ERROR,
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} listing{'s were' if skipped != 1 else ' was'} left alone "
                "(withdrawn, or already decided this way).",
                messages.WARNING,
            )

    @admin.action(description="Approve the selected listings", permissions=["change"])
    def approve(self, request, queryset):
        self.decide(request, queryset, "approve")

    @admin.action(description="Reject the selected listings (with a note)…", permissions=["change"])
    def reject(self, request, queryset):
        form = ReviewNoteForm(request.POST if "review_note" in request.POST else None)
        if form.is_valid():
            self.decide(request, queryset, "reject", form.cleaned_data["review_note"])
            return None
        listings = list(queryset.select_related("sponsor"))
        for listing in listings:
            # The version the editor saw in the list, carried through this page.
            listing.seen_field = seen_field(listing.pk)
            listing.seen_version = request.POST.get(listing.seen_field, "")
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject listings",
            "opts": self.model._meta,
            "listings": listings,
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
            post, created = compile_week(week)
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
        form = CompileWeekForm(request.POST or None, initial={"week": first_week_to_compile()})
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
