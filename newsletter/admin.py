"""The editors' side of the newsletter: subscribers (with CSV import and export) and issues
(which posts are sent, and how far each sending is)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from digest.models import Post

from . import csv_io, emails, tasks
from .models import Figures, Issue, Subscriber


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
    a digest (or use the Newsletter panel on the post's own page, newsletter.post_panel). The
    list, filtered on "Sent", is the record of past sendings."""

    # Read off each issue's row (its counters, and the counts frozen when it was sent): the
    # list counts no deliveries. A sending in progress shows its live figures on its page.
    list_display = [
        "post", "send", "state", "recipients", "sent", "failed",
        "delivered", "bounced_count", "complained_count", "unsubscribed_count",
    ]  # fmt: skip
    list_filter = ["send", "state"]
    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    readonly_fields = ["state", "audience", "recipients", "started_at", "finished_at", "figures"]
    actions = ["send_test", "send_now"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<int:pk>/progress/", wrap(self.progress_view), name="newsletter_issue_progress"),
            path(
                "post/<int:post_id>/send/",
                wrap(self.post_send_view),
                name="newsletter_post_send",
            ),
            path(
                "post/<int:post_id>/send-test/",
                wrap(self.post_send_test_view),
                name="newsletter_post_send_test",
            ),
            path(
                "post/<int:post_id>/send-now/",
                wrap(self.post_send_now_view),
                name="newsletter_post_send_now",
            ),
        ]
        return own + super().get_urls()

    def progress_view(self, request, pk):
        """The figures the issue's page and the post's Newsletter panel show, for their script
        to refresh without a reload."""
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return JsonResponse(
            {"state": issue.get_state_display(), **issue.progress(), **Figures.of(issue)._asdict()}
        )

    def post_issue(self, request, post_id):
        """The issue of the post a panel button is about, for those who may send (editors):
        the check is here, on the server, whatever the page showed."""
        if request.method != "POST":
            raise PermissionDenied
        if not self.has_change_permission(request):
            raise PermissionDenied
        return Issue.for_post(get_object_or_404(Post, pk=post_id))

    def back_to_post(self, issue):
        return redirect(reverse("admin:digest_post_change", args=[issue.post_id]))

    def post_send_view(self, request, post_id):
        issue = self.post_issue(request, post_id)
        send = request.POST.get("send") == "on"
        if issue.choose_send(send):
            self.message_user(
                request,
                "It will be sent to subscribers when published."
                if send
                else "It will not be sent to subscribers.",
            )
        else:
            self.message_user(
                request, "Its sending has started: too late to change.", messages.ERROR
            )
        return self.back_to_post(issue)

    def post_send_test_view(self, request, post_id):
        issue = self.post_issue(request, post_id)
        self.mail_tests(request, [issue])
        return self.back_to_post(issue)

    def post_send_now_view(self, request, post_id):
        issue = self.post_issue(request, post_id)
        if tasks.send_now(issue):
            self.message_user(request, "Sending started.")
        else:
            self.message_user(
                request,
                "Not sent: the post is not published, or it was sent already.",
                messages.ERROR,
            )
        return self.back_to_post(issue)

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

    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count if obj.state == Issue.State.SENT else "—"

    @admin.display(description="failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count if obj.state == Issue.State.SENT else "—"

    @admin.display(description="delivered", ordering="delivered_count")
    def delivered(self, obj):
        if obj.state != Issue.State.SENT:
            return "—"
        return obj.delivered_count + obj.untracked_count

    @admin.display(description="figures")
    def figures(self, obj):
        """A table of the sending's figures; newsletter/progress.js refreshes each cell from
        progress_view while the issue is being sent."""
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string(
            "admin/newsletter/issue/_figures.html",
            {"issue": obj, "figures": Figures.of(obj)._asdict()},
        )

    @admin.action(description="Send the selected issues now (published posts, any age)")
    def send_now(self, request, queryset):
        """Start at once, without waiting for the tick and whatever the send window: for a
        post published before the newsletter existed, or an article decided on late."""
        started = sum(tasks.send_now(issue) for issue in queryset.select_related("post"))
        skipped = queryset.count() - started
        self.message_user(
            request,
            f"{started} sending(s) started."
            + (f" {skipped} skipped: not published yet, or sent already." if skipped else ""),
        )

    @admin.action(description="Send a test of the selected issues to me")
    def send_test(self, request, queryset):
        self.mail_tests(request, queryset.select_related("post"))
        return redirect(reverse("admin:newsletter_issue_changelist"))

    def mail_tests(self, request, issues):
        if not request.user.email:
            self.message_user(request, "Your account has no e-mail address.", messages.ERROR)
            return
        for issue in issues:
            emails.send_test(issue.post, request.user.email)
        self.message_user(request, f"Sent to {request.user.email}.")
