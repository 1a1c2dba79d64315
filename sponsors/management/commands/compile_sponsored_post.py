from argparse import ArgumentTypeError
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sponsors.compiling import NothingToCompile, compile_week
from sponsors.models import this_week, week_of


def iso_day(value):
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        # argparse turns this into "error: argument --week: …" (CommandError from call_command).
        raise ArgumentTypeError(f"wants a date like 2026-11-30, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Build (or update) the sponsored post of a week from the approved listings running "
        "that week."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            type=iso_day,
            help="Any day of the week, YYYY-MM-DD (its Monday is used); default: this week.",
        )
        parser.add_argument(
            "--author",
            help="Username the post is by (default: the site's “Sponsored” account, so no "
            "person's name is on a post nobody wrote).",
        )
        parser.add_argument(
            "--draft", action="store_true", help="Create the post as a draft, not published."
        )

    def handle(self, *args, week=None, author=None, draft=False, **options):
        week = week_of(week) if week else this_week()
        try:
            post, created = compile_week(week, author=self.author(author), publish=not draft)
        except NothingToCompile as empty:
            self.stdout.write(f"{empty} Nothing was created.")
            return
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} “{post.title}” ({post.display_status.lower()})")
            + f"\n  {post.get_absolute_url()}"
        )

    def author(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        return user
