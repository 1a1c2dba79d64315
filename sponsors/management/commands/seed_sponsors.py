import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from sponsors.compiling import NothingToCompile, compile_week
from sponsors.models import Listing, ListingWeek, Sponsor, this_week

LOGIN_FILE = settings.BASE_DIR / ".sponsor-login"
DEMO_EMAIL = "sponsor@example.com"
DEMO_COMPANY = "Demo Queue Co."


class Command(BaseCommand):
    """Demo sponsor content for `make run`: this week's sponsored post, compiled from listings
    copied from the imported sample, and a sponsor account with a listing waiting for review.

    The account's random password is kept in .sponsor-login (git-ignored, owner-only) and
    printed on every run. A database that has the demo sponsor already is left alone.
    """

    help = "Create demo sponsor listings for this week, compile its post, and a sponsor login."

    def handle(self, *args, **options):
        User = get_user_model()
        password = LOGIN_FILE.read_text().strip() if LOGIN_FILE.exists() else ""
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None or not password:
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                user = self.create_demo(User, user, password)
            LOGIN_FILE.write_text(password + "\n")
            LOGIN_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(f"Sponsor login: {DEMO_EMAIL} / {password}")
            + "  ->  /sponsors/dashboard/"
        )

    def create_demo(self, User, user, password):
        user = user or User(username="demo-sponsor", email=DEMO_EMAIL)
        user.display_name = "Demo Sponsor"
        user.email_verified_at = timezone.now()
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=Role.SPONSORS))
        company, _ = Sponsor.objects.get_or_create(
            name=DEMO_COMPANY,
            defaults={
                "website": "https://example.com/",
                "description": "Demo Queue Co. makes a queue that never loses a message.",
            },
        )
        company.managers.add(user)
        week = this_week()
        pending = Listing.objects.create(
            sponsor=company,
            section=Listing.Section.PRODUCT,
            text="**Demo Queue** delivers every message exactly once, at any scale.",
            link_url="https://example.com/demo-queue",
            link_label="Start a free trial",
            submitted_by=user,
        )
        ListingWeek.objects.create(listing=pending, week=week + timedelta(days=7))
        editor = User.objects.filter(is_superuser=True).order_by("pk").first()
        if editor:
            self.copy_sample_listings(week, editor)
            try:
                post, _ = compile_week(week)
                self.stdout.write(f"Compiled “{post.title}”.")
            except NothingToCompile:
                pass
        return user

    def copy_sample_listings(self, week, editor):
        """The imported 2016 listings run in their own week; book a few again for this one,
        approved by `editor`."""
        samples = (
            Listing.objects.approved()
            .filter(import_ref__isnull=False, sponsor__isnull=False)
            .select_related("sponsor")
            .order_by("pk")
        )
        seen = set()
        for sample in samples:
            if sample.sponsor_id in seen or len(seen) == 6:
                continue
            seen.add(sample.sponsor_id)
            copy = Listing.objects.create(
                sponsor=sample.sponsor,
                section=sample.section,
                text=sample.text,
                link_url=f"https://example.com/{sample.sponsor.slug}",
                link_label="Find out more",
            )
            ListingWeek.objects.create(listing=copy, week=week)
            copy.approve(by=editor)
