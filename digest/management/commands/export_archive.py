from django.core.management.base import BaseCommand, CommandError

from digest.importers.archive_writer import write_archive
from digest.importers.wxr_writer import write_wxr
from digest.models import Post


class Command(BaseCommand):
    """Write published posts in the archive text format that import_archive reads, or as a
    WordPress export (WXR 1.2) that import_wxr reads back exactly."""

    help = "Export published posts (newest first) as archive text, or as WXR with --format wxr."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--format",
            choices=["text", "wxr"],
            default="text",
            help="text: the archive text format (default); wxr: a WordPress export with "
            "full bodies, tags, authors, comments and each digest part's anchor.",
        )
        parser.add_argument(
            "--kind", choices=[k for k, _ in Post.Kind.choices], help="Only posts of this kind."
        )
        parser.add_argument("--limit", type=int, help="At most this many posts.")

    def handle(self, *args, output, format, kind, limit, **options):
        posts = Post.objects.published().prefetch_related("stats", "quotes", "items")
        if format == "wxr":
            posts = posts.select_related("author").prefetch_related("tags", "imported_comments")
        if kind:
            posts = posts.filter(kind=kind)
        if limit is not None:
            if limit < 1:
                raise CommandError("--limit must be at least 1.")
            posts = posts[:limit]
        text = write_wxr(posts) if format == "wxr" else write_archive(posts)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(f"Wrote {len(posts)} posts to {output}.")
        else:
            self.stdout.write(text, ending="")
