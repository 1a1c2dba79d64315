"""The editors' side of the newsletter: subscribers (with CSV import and export) and issues
(which posts are sent, and how far each sending is)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import csv_io
from .emails import build
from .models import Delivery, Issue, Subscriber


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header line naming the columns “email” and “consent” "
        "(how each address agreed, e.g. “signed up at PyCon booth 2025”).",
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "consent", "created", "confirmed_at"]
    list_filter = ["status", "consent", "wants_digests", "wants_articles"]
    # No search box: a search puts the address into the page's URL (and so into logs).
    fields = [
        "email", "status", "consent", "consent_note", "wants_digests", "wants_articles",
        "created", "confirmed_at", "unsubscribed_at", "suppressed_reason",
    ]  # fmt: skip
    readonly_fields = ["created", "confirmed_at", "unsubscribed_at", "suppressed_reason"]
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # An existing subscriber's address and consent are facts, not settings.
        extra = ["email", "consent", "consent_note"] if obj else []
        return [*self.readonly_fields, *extra]

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="newsletter-import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="newsletter-export"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": self.has_add_permission(request),
            "can_export": request.user.has_perm("newsletter.export_subscribers"),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = csv_io.import_subscribers(csv_io.read_text(form.cleaned_data["file"]))
            except csv_io.UnreadableFile as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    f"{len(report.added)} added, {len(report.existing)} already on the list, "
                    f"{len(report.repeated)} repeated in the file, {len(report.refused)} refused "
                    f"({report.lines} lines).",
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import subscribers",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/import.html", context)

    def export_view(self, request):
        """Editors only (the export_subscribers permission): the list leaves the site here."""
        if not request.user.has_perm("newsletter.export_subscribers"):
            raise PermissionDenied
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response = StreamingHttpResponse(
            csv_io.export_rows(Subscriber.objects.order_by("pk")), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    """Which posts go out as newsletters. A digest gets a row (send: yes) when it is
    published; add one here beforehand to send an article, or to stop a digest."""

    list_display = ["post", "send", "state", "recipients", "sent", "failed", "remaining"]
    list_filter = ["send", "state"]
    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    readonly_fields = ["state", "recipients", "started_at", "finished_at", "progress_line"]
    actions = ["send_test"]

    def get_readonly_fields(self, request, obj=None):
        # Once the sending started, what is sent and to whom is history.
        if obj and obj.state != Issue.State.WAITING:
            return ["post", "send", *self.readonly_fields]
        return self.readonly_fields

    def counts(self, obj):
        if not hasattr(obj, "_counts"):
            obj._counts = obj.progress()
        return obj._counts

    @admin.display(description="sent")
    def sent(self, obj):
        return self.counts(obj)[Delivery.State.SENT]

    @admin.display(description="failed")
    def failed(self, obj):
        return self.counts(obj)[Delivery.State.FAILED]

    @admin.display(description="remaining")
    def remaining(self, obj):
        counts = self.counts(obj)
        return counts[Delivery.State.QUEUED] + counts[Delivery.State.HANDING_OVER]

    @admin.display(description="progress")
    def progress_line(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return ", ".join(
            f"{label}: {self.counts(obj)[value]}" for value, label in Delivery.State.choices
        )

    @admin.action(description="Send a test of the selected issues to me")
    def send_test(self, request, queryset):
        if not request.user.email:
            self.message_user(request, "Your account has no e-mail address.", messages.ERROR)
            return
        for issue in queryset.select_related("post"):
            email = build(issue.post)
            probe = Subscriber(pk=0, email=request.user.email)
            message = email.message(probe, f"<newsletter.test.{issue.pk}.{timezone.now():%s}@test>")
            message.subject = f"[Test] {message.subject}"
            message.send()
        self.message_user(request, f"Sent to {request.user.email}.")
        return redirect(reverse("admin:newsletter_issue_changelist"))
