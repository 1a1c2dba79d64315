"""Sponsors, and the company changes that wait for an editor before readers see them."""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from ..forms import LogoMixin, ReviewNoteForm, WebAddressField
from ..models import (
    ChangedSinceSeen,
    IllegalTransition,
    Sponsor,
    SponsorChange,
    moderation_order,
)
from .review import seen_field, seen_version, warn_compiled_weeks, warn_lookalikes

SPONSOR_FIELDS = ["name", "slug", "website", "description", "logo", "managers"]


def logo_image(logo):
    if not logo:
        return "–"
    return format_html('<img src="{}" alt="" style="max-height:80px">', logo.url)


class SponsorAdminForm(LogoMixin, forms.ModelForm):
    website = WebAddressField(required=False)

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
        return logo_image(sponsor.logo)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sponsor = self.get_object(request, object_id)
        if request.method == "GET" and sponsor is not None:
            warn_lookalikes(request, sponsor.name, sponsor.lookalikes())
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_lookalikes(request, obj.name, obj.lookalikes())


FIELD_LABELS = {"name": "Name", "website": "Website", "description": "Description", "logo": "Logo"}


def shown(field, value):
    if field == "logo":
        return logo_image(value)
    return value or "(empty)"


@admin.register(SponsorChange)
class SponsorChangeAdmin(admin.ModelAdmin):
    """The queue of company changes: what each would change, approved or rejected (with a
    note) like listings, and each decision e-mailed to the sponsor's managers."""

    list_display = ("sponsor_name", "what_changes", "status", "created")
    list_display_links = ("sponsor_name",)
    list_filter = ("status",)
    list_select_related = ("sponsor",)
    ordering = moderation_order()
    search_fields = ("name", "sponsor__name")
    actions = ["approve", "reject"]
    fields = ("sponsor", "status", "comparison", "submitted_by", "created", "review_note")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Decided by the actions (which need the change permission); a change itself is only
        # ever looked at here, so a stray Save cannot touch it.
        return obj is None and super().has_change_permission(request)

    @admin.display(description="sponsor (as readers see it now)", ordering="sponsor__name")
    def sponsor_name(self, change):
        return change.sponsor.name

    def comparison_rows(self, change):
        if change.status != SponsorChange.Status.PENDING:
            # Once decided, the sponsor shows (or never showed) it: nothing left to compare.
            return format_html(
                '<tr><td colspan="3">{} {}</td></tr>',
                change.get_status_display(),
                f"{change.reviewed_at:%b %-d, %Y}" if change.reviewed_at else "",
            )
        return format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (FIELD_LABELS[field], shown(field, current), shown(field, proposed))
                for field, current, proposed in change.differences()
            ),
        )

    @admin.display(description="what would change")
    def what_changes(self, change):
        # The version shown travels with the actions' form, as for listings: an approval is
        # of what the editor saw here.
        return format_html(
            '<table class="company-change"><tr><th></th><th>now</th><th>proposed</th></tr>'
            '{}</table><input type="hidden" name="{}" value="{}">',
            self.comparison_rows(change),
            seen_field(change.pk),
            change.version,
        )

    @admin.display(description="now and proposed")
    def comparison(self, change):
        return format_html(
            '<table class="company-change"><tr><th></th><th>now</th><th>proposed</th></tr>'
            "{}</table>",
            self.comparison_rows(change),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        if request.method == "GET" and change is not None:
            warn_lookalikes(request, change.name, change.lookalikes())
        return super().change_view(request, object_id, form_url, extra_context)

    def decide(self, request, queryset, verb, act):
        decided, refused = [], []
        with transaction.atomic():
            for change in queryset.pending().select_related("sponsor"):
                try:
                    with transaction.atomic():
                        act(change, seen_version(request, change))
                except ChangedSinceSeen:
                    refused.append(f"{change.sponsor.name}: changed again after you opened it")
                except IllegalTransition as error:
                    refused.append(f"{change.sponsor.name}: {error}")
                else:
                    decided.append(change)
        for change in decided:
            warn_compiled_weeks(request, change.sponsor.listings.approved())
        count = len(decided)
        self.message_user(
            request,
            f"{count} company change{'s' if count != 1 else ''} {verb}; the sponsors were "
            "e-mailed.",
            messages.SUCCESS if decided else messages.WARNING,
        )
        if refused:
            self.message_user(request, f"Not {verb}: {'; '.join(refused)}.", messages.ERROR)

    @admin.action(description="Approve the selected company changes", permissions=["change"])
    def approve(self, request, queryset):
        self.decide(
            request,
            queryset,
            "approved",
            lambda change, seen: change.approve(by=request.user, seen_version=seen),
        )

    @admin.action(
        description="Reject the selected company changes (with a note)…", permissions=["change"]
    )
    def reject(self, request, queryset):
        form = ReviewNoteForm(request.POST if "review_note" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["review_note"]
            self.decide(
                request,
                queryset,
                "rejected",
                lambda change, seen: change.reject(by=request.user, note=note, seen_version=seen),
            )
            return None
        changes = list(queryset.pending().select_related("sponsor"))
        for change in changes:
            change.seen_field = seen_field(change.pk)
            change.seen_version = request.POST.get(change.seen_field, "")
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject company changes",
            "opts": self.model._meta,
            "changes": changes,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sponsors/sponsorchange/reject.html", context)
