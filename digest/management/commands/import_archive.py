import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from digest.importers.archive import import_archive
from digest.importers.base import default_author
from digest.legacy import urls_in
from digest.management.reporting import progress, write_report


def day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date wants YYYY-MM-DD, not “{value}”.") from error


def read(path):
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from error


class Command(BaseCommand):
    """Import archive pages saved as text; running it again changes nothing."""

    help = "Import archive pages saved as text (see DESIGN.md, 'The archive text format')."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Text files of archive pages.")
        parser.add_argument("--date", type=day, help="Date for entries with no dated neighbour.")
        parser.add_argument(
            "--urls",
            help="A file of the old site's post addresses, one a line (or a feed): entries "
            "whose slug matches get the date of their address instead of a guessed one.",
        )
        parser.add_argument("--author", help="Username the imported posts are written by.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")

    def handle(self, *args, files, date, urls, author, dry_run, **options):
        author = default_author(author) if author else None
        addresses = urls_in(read(urls)) if urls else ()
        for path in files:
            text = read(path)
            started = time.monotonic()
            report = import_archive(
                text,
                fallback_date=date,
                author=author,
                dry_run=dry_run,
                progress=progress("entries"),
                urls=addresses,
            )
            self.stdout.write(f"{path} ({time.monotonic() - started:.1f}s):")
            write_report(self, report, dry_run)
