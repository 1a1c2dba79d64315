"""`manage.py import_comments`: move the comments a WXR import kept aside into comments."""

from django.core.management.base import BaseCommand

from comments.importing import attach_imported


class Command(BaseCommand):
    help = (
        "Attach the comments kept aside by import_wxr (ImportedComment) to their posts as "
        "comments. Approved ones are shown; running it again changes nothing."
    )

    def handle(self, *args, **options):
        report = attach_imported()
        self.stdout.write(
            f"{report.created} comment(s) created, {report.existing} already there, "
            f"{report.skipped} skipped (pingbacks, trash)."
        )
