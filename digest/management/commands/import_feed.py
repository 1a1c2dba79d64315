import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digest.importers.base import default_author
from digest.importers.feed import import_feed
from digest.management.reporting import progress, write_report

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".feed"}


def feed_files(paths):
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in FEED_SUFFIXES)
            if not found:
                raise CommandError(f"{path} holds no .xml, .rss, .atom or .feed file.")
            yield from found
        elif path.is_file():
            yield path
        else:
            raise CommandError(f"{path} is neither a file nor a folder.")


class Command(BaseCommand):
    """Import RSS 2.0 and Atom feeds; running it again changes nothing."""

    help = "Import RSS 2.0 / Atom feed files (or folders of them) as exported by blog platforms."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_PATH")
        parser.add_argument("--author", help="Username for items without a known author.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")

    def handle(self, *args, paths, author, dry_run, **options):
        author = default_author(author) if author else None
        for path in feed_files(paths):
            started = time.monotonic()
            report = import_feed(
                path.read_bytes(), author=author, dry_run=dry_run, progress=progress("items")
            )
            self.stdout.write(f"{path} ({time.monotonic() - started:.1f}s):")
            write_report(self, report, dry_run)
