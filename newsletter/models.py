from typing import NamedTuple

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from digest.models import Post


def normalise_email(address):
    """One spelling per mailbox for uniqueness: trimmed and lower-cased (providers treat the
    local part case-insensitively in practice, and a list with both spellings mails twice)."""
    return (address or "").strip().lower()


class SubscriberQuerySet(models.QuerySet):
    def receiving(self, kind):
        """Confirmed subscribers who want posts of this kind (digest.Post.Kind)."""
        wants = "wants_articles" if kind == Post.Kind.ARTICLE else "wants_digests"
        return self.filter(status=Subscriber.Status.CONFIRMED, **{wants: True})


class Subscriber(models.Model):
    """An address on the list, with how its consent was given.

    Only CONFIRMED subscribers are sent issues. Addresses come in PENDING through the form
    and become CONFIRMED by the signed link mailed to them (double opt-in), or arrive
    CONFIRMED through an editor's import that states the consent. SUPPRESSED addresses (a
    permanent bounce or a complaint) are never mailed again, not even a confirmation.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        SUPPRESSED = "suppressed", "Suppressed (bounced or complained)"

    class Consent(models.TextChoices):
        FORM = "form", "Subscribe form, confirmed by e-mail"
        IMPORT = "import", "Imported list"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.FORM)
    consent_note = models.CharField(
        max_length=200, blank=True, help_text="How consent was given, as the import stated it."
    )
    wants_digests = models.BooleanField("weekly digests", default=True)
    wants_articles = models.BooleanField("articles", default=False)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=300, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status"], name="subscriber_status_idx")]
        permissions = [("export_subscribers", "Can export the subscriber list")]

    def __str__(self):
        return f"subscriber #{self.pk}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def confirm(self, now=None):
        if self.status == self.Status.SUPPRESSED:
            return
        self.status = self.Status.CONFIRMED
        self.confirmed_at = now or timezone.now()
        self.unsubscribed_at = None
        self.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])

    def unsubscribe(self, now=None, issue_id=None):
        """Leave the list, counted in the figures of the issue whose link was used (`issue_id`,
        from the signed link or the e-mail service's event), else of the last issue handed
        over to this address (see Delivery.objects.count_unsubscribe)."""
        if self.status in (self.Status.SUPPRESSED, self.Status.UNSUBSCRIBED):
            return
        self.status = self.Status.UNSUBSCRIBED
        self.unsubscribed_at = now or timezone.now()
        self.save(update_fields=["status", "unsubscribed_at"])
        Delivery.objects.count_unsubscribe(self, self.unsubscribed_at, issue_id)

    def suppress(self, reason):
        self.status = self.Status.SUPPRESSED
        self.suppressed_reason = reason[:300]
        self.save(update_fields=["status", "suppressed_reason"])


def posts_in_send_window(now=None):
    """Published posts the worker sends by itself (when marked): those published within the
    send window, so an archive imported today is not mailed out. Older ones only by
    "Send now"."""
    now = now or timezone.now()
    return Post.objects.published(now=now).filter(
        publish_at__gte=now - settings.NEWSLETTER_SEND_WINDOW
    )


class IssueQuerySet(models.QuerySet):
    def due(self, now=None):
        """Marked for sending, not started, and its post in the send window."""
        return self.filter(send=True, state=Issue.State.WAITING, post__in=posts_in_send_window(now))

    def count_report(self, counter):
        """One more of a reported figure (an Issue counter); called in the transaction whose
        conditional update recorded the delivery's first report of that kind."""
        return self.update(**{counter: F(counter) + 1})

    def stalled(self, now=None):
        """Sending, but the job chain that owns it missed its deadline (its worker died)."""
        return self.filter(state=Issue.State.SENDING, deadline__lt=now or timezone.now())


class Figures(NamedTuple):
    """An issue's figures, as the admin shows them (see docs/newsletter.md for each one)."""

    recipients: int
    sent: int
    retrying: int
    failed: int
    remaining: int
    delivered: int
    bounced: int
    complained: int
    unsubscribed: int

    @classmethod
    def of(cls, issue):
        """From the issue's row alone once it is SENT (its counts were frozen then); while it
        waits or is being sent, its hand-over figures are counted from its deliveries, in one
        query. The reported figures are always the row's counters."""
        if issue.state == Issue.State.SENT:
            sent, failed, untracked = issue.sent_count, issue.failed_count, issue.untracked_count
            retrying = remaining = 0
        else:
            live = issue.deliveries.aggregate(**Delivery.HANDED_OVER)
            sent, failed, untracked = live["sent"], live["failed"], live["untracked"]
            retrying, remaining = live["retrying"], live["remaining"]
        return cls(
            recipients=issue.recipients,
            sent=sent,
            retrying=retrying,
            failed=failed,
            remaining=remaining,
            delivered=issue.delivered_count + untracked,
            bounced=issue.bounced_count,
            complained=issue.complained_count,
            unsubscribed=issue.unsubscribed_count,
        )


class Issue(models.Model):
    """A post as a newsletter issue: whether it is sent, and how far its sending is.

    Kept here, keyed by post, so digest's Post knows nothing of the newsletter. A post with no
    Issue row gets one the first time the newsletter looks at it (`for_post`): digests are sent
    by default, articles only when an editor says so.
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the post to be published"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="newsletter_issue")
    send = models.BooleanField("send as newsletter", default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    # The job chain sending it (a random token, new on every take-over), the process running
    # its current batch, and when it must have been heard of again (see newsletter.sending).
    owner = models.CharField(max_length=32, blank=True, editable=False)
    owner_host = models.CharField(max_length=255, blank=True, editable=False)
    owner_pid = models.PositiveIntegerField(null=True, blank=True, editable=False)
    deadline = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(default=0, editable=False)
    # What the e-mail service reported, each delivery counted once per kind, in the transaction
    # that records its first report of that kind (Delivery.report, count_unsubscribe): the list
    # of sendings reads them off the row instead of counting 100,000 deliveries an issue.
    delivered_count = models.PositiveIntegerField("delivered", default=0, editable=False)
    bounced_count = models.PositiveIntegerField("bounced", default=0, editable=False)
    complained_count = models.PositiveIntegerField("complained", default=0, editable=False)
    unsubscribed_count = models.PositiveIntegerField("unsubscribed", default=0, editable=False)
    # Frozen when the sending finishes (sending.next_run); until then they are counted live.
    # "Untracked": sent with no service message id (SMTP), which counts as delivered since
    # the server's 250 is all SMTP ever tells.
    sent_count = models.PositiveIntegerField("sent", default=0, editable=False)
    failed_count = models.PositiveIntegerField("failed", default=0, editable=False)
    untracked_count = models.PositiveIntegerField(default=0, editable=False)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-post__publish_at", "-pk"]

    def __str__(self):
        return self.post.title

    @classmethod
    def for_post(cls, post):
        issue, _ = cls.objects.get_or_create(
            post=post, defaults={"send": post.kind == Post.Kind.DIGEST}
        )
        return issue

    def figures(self):
        """Its figures as they stand now (the row is read again)."""
        return Figures.of(Issue.objects.get(pk=self.pk))

    def choose_send(self, send):
        """Whether it goes out when its post is published; only until its sending starts.
        Returns whether the choice was taken."""
        taken = Issue.objects.filter(pk=self.pk, state=Issue.State.WAITING).update(send=send)
        if taken:
            self.send = send
        return bool(taken)

    def progress(self):
        """{state: count} of its deliveries, every state present."""
        counts = dict(self.deliveries.values_list("state").annotate(n=Count("pk")).order_by())
        return {state: counts.get(state, 0) for state in Delivery.State.values}


class DeliveryQuerySet(models.QuerySet):
    def claimable(self, owner, now):
        """Waiting to be handed over: queued and due, or handed over by an earlier owner
        whose outcome was never recorded (its worker died; sent again, see docs)."""
        return self.filter(
            Q(state=Delivery.State.QUEUED, next_attempt_at__lte=now)
            | Q(state=Delivery.State.HANDING_OVER) & ~Q(claimed_by=owner)
        )

    def unfinished(self):
        return self.filter(state__in=Delivery.UNFINISHED)

    def reported(self, esp_message_id, address):
        """The delivery an e-mail service's event is about: the message id its API returned
        when it took the message (stored on the delivery), to that address."""
        if not esp_message_id or not address:
            return None
        return self.filter(
            esp_message_id=esp_message_id, subscriber__email=normalise_email(address)
        ).first()

    def count_unsubscribe(self, subscriber, when, issue_id=None):
        """Count an unsubscribe in one issue's figures: the issue whose e-mail's link was
        used, when the link says (links in issues carry it, signed); else the last issue
        handed over to them, the one they most likely reacted to (a link from the
        confirmation e-mail, or from an issue sent before links carried it). Only an issue
        they were sent counts it, once per delivery."""
        mine = self.filter(
            subscriber=subscriber, state=Delivery.State.SENT, unsubscribed_at__isnull=True
        )
        if issue_id is not None:
            mine = mine.filter(issue_id=issue_id)
        target = mine.order_by("-sent_at", "-pk").values_list("pk", "issue_id").first()
        if target is None:
            return
        pk, target_issue = target
        with transaction.atomic():
            # The same conditional update decides the row and the counter: a second click
            # (or a race with the service's own event) finds unsubscribed_at set, counts nothing.
            if self.filter(pk=pk, unsubscribed_at__isnull=True).update(unsubscribed_at=when):
                Issue.objects.filter(pk=target_issue).count_report("unsubscribed_count")


class Delivery(models.Model):
    """One issue to one subscriber: created for every recipient when the sending starts,
    under a unique constraint, before anything is handed to the mail server.

    QUEUED → HANDING_OVER (claimed by one job chain, committed before the SMTP transaction)
    → SENT when the server accepted it, committed straight after; or back to QUEUED with a
    later `next_attempt_at` on a temporary error; FAILED on a permanent one or when the
    attempts run out.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        HANDING_OVER = "handing", "Handing over"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed meanwhile)"

    UNFINISHED = [State.QUEUED, State.HANDING_OVER]
    # The hand-over figures of an issue's deliveries, as aggregates (Figures.of, and frozen
    # on the issue when it is SENT).
    HANDED_OVER = {
        "sent": Count("pk", filter=Q(state=State.SENT)),
        "retrying": Count("pk", filter=Q(state=State.QUEUED, attempts__gt=0)),
        "failed": Count("pk", filter=Q(state=State.FAILED)),
        "remaining": Count("pk", filter=Q(state__in=UNFINISHED)),
        "untracked": Count("pk", filter=Q(state=State.SENT, esp_message_id="")),
    }

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # What an e-mail service said of the message after it took it (its tracking webhooks,
    # newsletter.webhooks), found by the id its API returned. SMTP returns none: after the
    # server's 250 nothing more is known.
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_delivery_each")
        ]
        indexes = [models.Index(fields=["issue", "state", "next_attempt_at"], name="delivery_todo")]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"delivery #{self.pk}"

    # The e-mail service's normalised event (anymail's EventType) → the field it sets.
    REPORTS = {
        "delivered": "delivered_at",
        "bounced": "bounced_at",
        "rejected": "bounced_at",
        "complained": "complained_at",
    }

    # The field a report sets → the issue's counter of that figure.
    COUNTERS = {
        "delivered_at": "delivered_count",
        "bounced_at": "bounced_count",
        "complained_at": "complained_count",
    }

    def report(self, event_type, when):
        """Record what the e-mail service reported; the first report of each kind counts (a
        service may post an event twice), in the row and in the issue's figures alike."""
        field = self.REPORTS[event_type]
        with transaction.atomic():
            first = Delivery.objects.filter(pk=self.pk, **{f"{field}__isnull": True})
            if first.update(**{field: when}):
                Issue.objects.filter(pk=self.issue_id).count_report(self.COUNTERS[field])
