import time
from pathlib import Path

from django.core.management.base import BaseCommand

from digest.demo import create_demo_content, demo_authors
from digest.importers.archive import import_archive
from digest.models import Post

SAMPLE = Path(__file__).resolve().parents[2] / "demo_data" / "archive-2016-02.txt"


class Command(BaseCommand):
    """Fill an empty database with demo content: the sample archive imported, then generated
    entries up to the asked-for total. A database that has posts is left alone."""

    help = "Import the sample archive and generate ten years of demo posts with tags and images."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=2000, help="How many posts in all.")
        parser.add_argument("--seed", type=int, default=2016, help="Same seed, same posts.")
        parser.add_argument(
            "--force", action="store_true", help="Add demo posts even if the database has posts."
        )

    def handle(self, *args, posts, seed, force, **options):
        existing = Post.objects.count()
        if existing and not force:
            self.stdout.write(f"Demo content already present ({existing} posts); nothing created.")
            return
        started = time.monotonic()
        report = import_archive(SAMPLE.read_text(encoding="utf-8"), author=demo_authors())
        imported = sum(counts["created"] for counts in report.counts.values())
        created = create_demo_content(total=max(0, posts - imported), seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {imported} posts from {SAMPLE.name} and generated {created} more "
                f"in {time.monotonic() - started:.1f}s ({existing} existed before)."
            )
        )
