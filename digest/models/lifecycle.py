"""A post's lifecycle: the verbs that change what readers may see (Post inherits them)."""

from django.utils import timezone


class IllegalTransition(ValueError):
    """A lifecycle step the post (or listing) cannot take from where it is; the message says
    why, for the editor."""


class Lifecycle:
    """Publish, schedule, unpublish, submit for review, send back: each one save."""

    # The lifecycle: every change of what readers may see goes through these verbs, each one
    # save (the content token renews at its commit). Which status each verb starts from:
    #   draft ──submit_for_review──▶ pending ──send_back──▶ draft
    #   draft, pending ──publish / schedule──▶ published (live or scheduled)
    #   published ──unpublish──▶ draft
    # Publishing is an editor's step: with `by`, an account that may not publish is refused
    # here, whatever the form or action that asked (authors never publish).
    TRANSITIONS = {
        "submit_for_review": {"draft"},
        "send_back": {"pending"},
        "publish": {"draft", "pending", "published"},
        "schedule": {"draft", "pending", "published"},
        "unpublish": {"published"},
    }
    REFUSALS = {
        "submit_for_review": "“{title}” is {status}; only a draft is submitted for review.",
        "send_back": "“{title}” is {status}, not waiting for review.",
        "unpublish": "“{title}” is {status} already; it is not on the site.",
    }
    STATUS_PHRASES = {"draft": "a draft", "pending": "pending review"}

    @staticmethod
    def may_publish(user):
        """Editors publish, schedule and unpublish; authors submit for review."""
        return user.has_perm("digest.edit_others_posts")

    def _check(self, verb, by=None):
        publishing = verb in ("publish", "schedule", "unpublish")
        if publishing and by is not None and not self.may_publish(by):
            raise IllegalTransition(
                "Only an editor can publish. Use “Submit for review”: editors are told."
            )
        if self.status not in self.TRANSITIONS[verb]:
            status = self.STATUS_PHRASES.get(self.status, self.get_status_display().lower())
            raise IllegalTransition(self.REFUSALS[verb].format(title=self.title, status=status))

    def publish(self, at=None, by=None):
        """Put the post on the site now (or at `at`, which may be in the past: a backdated
        post). Publishing a post that is already on the site is refused."""
        self._check("publish", by)
        if self.is_published:
            raise IllegalTransition(f"“{self.title}” is already published.")
        self.status, self.publish_at = self.Status.PUBLISHED, at or timezone.now()
        self.date_is_guessed = False
        self.save()

    def schedule(self, at, by=None):
        """Publish the post at `at`, a time to come; until then readers don't see it."""
        self._check("schedule", by)
        if at <= timezone.now():
            raise IllegalTransition("A post can only be scheduled for a time still to come.")
        self.status, self.publish_at, self.date_is_guessed = self.Status.PUBLISHED, at, False
        self.save()

    def unpublish(self, by=None):
        """Take a published or scheduled post back to draft; its address and date stay."""
        self._check("unpublish", by)
        self.status = self.Status.DRAFT
        self.save()

    def submit_for_review(self, by=None):
        """An author's draft waits for an editor (`by` is who asks; anyone who may change the
        post may). Readers see it no more than a draft; the editors are told by whoever
        called this (digest.review.notify_editors, a job)."""
        self._check("submit_for_review", by)
        self.status = self.Status.PENDING
        self.save()

    def send_back(self, by=None):
        """An editor returns a post waiting for review to its author as a draft (the note
        saying why goes in its revision, with who sent it back)."""
        self._check("send_back")
        if by is not None and not self.may_publish(by):
            raise IllegalTransition("Only an editor sends a post back from review.")
        self.status = self.Status.DRAFT
        self.save()
