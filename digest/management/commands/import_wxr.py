import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digest.importers.base import default_author
from digest.importers.wxr import import_wxr
from digest.management.reporting import progress, write_report


class Command(BaseCommand):
    """Import a WordPress/Squarespace WXR export; running it again changes nothing."""

    help = (
        "Import a WordPress or Squarespace export (WXR): posts with their full text, authors, "
        "tags, dates and statuses, attachments from a local folder, comments kept aside."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")
        parser.add_argument(
            "--attachments",
            metavar="DIR",
            help="Folder holding the export's uploaded files (e.g. wp-content/uploads); "
            "pictures the posts use are copied from it. Nothing is downloaded.",
        )
        parser.add_argument("--author", help="Username for posts without a known author.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")

    def handle(self, *args, path, attachments, author, dry_run, **options):
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        if attachments and not Path(attachments).is_dir():
            raise CommandError(f"{attachments} is not a folder.")
        author = default_author(author) if author else None
        started = time.monotonic()
        report = import_wxr(
            path.read_bytes(),
            author=author,
            dry_run=dry_run,
            attachments_dir=attachments,
            progress=progress("posts"),
        )
        self.stdout.write(f"{path} ({time.monotonic() - started:.1f}s):")
        write_report(self, report, dry_run)
