import time

from django.core.management.base import BaseCommand

from digest.demo import create_demo_content
from digest.models import Post


class Command(BaseCommand):
    """Fill an empty database with realistic demo content; a database with posts is left alone."""

    help = "Create ten years of demo posts (digests, articles, guest posts) with tags and images."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=2000, help="How many posts to create.")
        parser.add_argument(
            "--seed", type=int, default=2016, help="Random seed (same seed, same posts)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Add demo posts even if the database has posts."
        )

    def handle(self, *args, posts, seed, force, **options):
        existing = Post.objects.count()
        if existing and not force:
            self.stdout.write(f"Demo content already present ({existing} posts); nothing created.")
            return
        started = time.monotonic()
        created = create_demo_content(total=posts, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} demo posts in {time.monotonic() - started:.1f}s "
                f"({existing} existed before)."
            )
        )
