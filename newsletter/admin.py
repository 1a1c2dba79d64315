"""The editors' side of the newsletter: subscribers (with CSV import and export) and issues
(which posts are sent, and how far each sending is)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.mail import make_msgid
from django.db import transaction
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from digest.models import Post

from . import csv_io, sending
from .emails import build
from .models import Figures, Issue, Subscriber
from .tasks import send_batch


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
    """Which posts go out as newsletters, and each sending's figures. A digest gets a row
    (send: yes) when it is published; add one here beforehand to send an article, or to stop
    a digest. The list, filtered on "Sent", is the record of past sendings."""

    list_display = [
        "post", "send", "state", "recipients", "sent", "failed", "remaining",
        "delivered", "bounced", "complained", "unsubscribed",
    ]  # fmt: skip
    list_filter = ["send", "state"]
    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    readonly_fields = ["state", "audience", "recipients", "started_at", "finished_at", "figures"]
    actions = ["send_test", "send_now"]

    def get_urls(self):
        progress = self.admin_site.admin_view(self.progress_view)
        own = [path("<int:pk>/progress/", progress, name="newsletter_issue_progress")]
        return own + super().get_urls()

    def progress_view(self, request, pk):
        """The figures the change page shows, for its script to refresh without a reload."""
        issue = get_object_or_404(Issue.objects.with_figures(), pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return JsonResponse(
            {"state": issue.get_state_display(), **issue.progress(), **Figures.of(issue)._asdict()}
        )

    @admin.display(description="would go to")
    def audience(self, obj):
        """Subscribers who would receive it if it were sent now."""
        if obj is None or obj.pk is None:
            return "—"
        return f"{Subscriber.objects.receiving(obj.post.kind).count()} confirmed subscribers"

    def get_readonly_fields(self, request, obj=None):
        # Once the sending started, what is sent and to whom is history.
        if obj and obj.state != Issue.State.WAITING:
            return ["post", "send", *self.readonly_fields]
        return self.readonly_fields

    def get_queryset(self, request):
        # The figures in the list's one query (and the change page's), not a query per row.
        return super().get_queryset(request).with_figures()

    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description="failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    @admin.display(description="remaining", ordering="remaining_count")
    def remaining(self, obj):
        return obj.remaining_count

    @admin.display(description="delivered", ordering="delivered_count")
    def delivered(self, obj):
        return obj.delivered_count

    @admin.display(description="bounced", ordering="bounced_count")
    def bounced(self, obj):
        return obj.bounced_count

    @admin.display(description="complained", ordering="complained_count")
    def complained(self, obj):
        return obj.complained_count

    @admin.display(description="unsubscribed", ordering="unsubscribed_count")
    def unsubscribed(self, obj):
        return obj.unsubscribed_count

    @admin.display(description="figures")
    def figures(self, obj):
        """A table of the sending's figures; newsletter/progress.js refreshes each cell (found
        by its data-figure name) from progress_view while the issue is being sent."""
        if obj is None or obj.pk is None:
            return "—"
        figures = Figures.of(obj)._asdict()
        return format_html(
            '<table id="issue-figures" data-url="{}" aria-live="polite">'
            "<tr>{}</tr><tr>{}</tr></table>",
            reverse("admin:newsletter_issue_progress", args=[obj.pk]),
            format_html_join("", '<th scope="col">{}</th>', ((name,) for name in figures)),
            format_html_join("", '<td data-figure="{}">{}</td>', figures.items()),
        )

    @admin.action(description="Send the selected issues now (published posts, any age)")
    def send_now(self, request, queryset):
        """Start at once, without waiting for the tick and whatever the send window: for a
        post published before the newsletter existed, or an article decided on late."""
        started = 0
        published = Post.objects.published()
        for issue in queryset.filter(state=Issue.State.WAITING, post__in=published):
            with transaction.atomic():
                Issue.objects.filter(pk=issue.pk).update(send=True)
                owner = sending.start(issue)
                if owner:
                    send_batch.enqueue(issue.pk, owner)
                    started += 1
        skipped = queryset.count() - started
        self.message_user(
            request,
            f"{started} sending(s) started."
            + (f" {skipped} skipped: not published yet, or sent already." if skipped else ""),
        )

    @admin.action(description="Send a test of the selected issues to me")
    def send_test(self, request, queryset):
        if not request.user.email:
            self.message_user(request, "Your account has no e-mail address.", messages.ERROR)
            return
        for issue in queryset.select_related("post"):
            email = build(issue.post)
            probe = Subscriber(pk=0, email=request.user.email)
            message = email.message(probe, make_msgid("newsletter-test"))
            message.subject = f"[Test] {message.subject}"
            message.send()
        self.message_user(request, f"Sent to {request.user.email}.")
        return redirect(reverse("admin:newsletter_issue_changelist"))
