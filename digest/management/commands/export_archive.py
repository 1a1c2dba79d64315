from django.core.management.base import BaseCommand, CommandError

from digest.importers.archive_writer import write_archive
from digest.models import Post


class Command(BaseCommand):
    """Write published posts in the archive text format that import_archive reads."""

    help = "Export published posts as archive text (newest first)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--kind", choices=[k for k, _ in Post.Kind.choices], help="Only posts of this kind."
        )
        parser.add_argument("--limit", type=int, help="At most this many posts.")

    def handle(self, *args, output, kind, limit, **options):
        posts = Post.objects.published().prefetch_related("stats", "quotes", "items")
        if kind:
            posts = posts.filter(kind=kind)
        if limit is not None:
            if limit < 1:
                raise CommandError("--limit must be at least 1.")
            posts = posts[:limit]
        text = write_archive(posts)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(f"Wrote {len(posts)} posts to {output}.")
        else:
            self.stdout.write(text, ending="")
