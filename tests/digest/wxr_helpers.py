"""What the import_wxr tests share: the fixtures (see test_import_wxr.py) and small helpers."""

import io
from pathlib import Path

from django.core.management import call_command

from digest.models import Item, Post, Quote, Stat

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORT = FIXTURES / "wxr-highscalability.xml"
FEED = FIXTURES / "wxr-companion.rss"
WINDOWS = FIXTURES / "wxr-windows-1252.xml"
UPLOADS = FIXTURES / "wxr-uploads"
DIGEST_ADDRESS = "/blog/2016/4/1/stuff-the-internet-says-on-scalability-for-april-1st-2016.html"
GUEST_ADDRESS = "/blog/2016/3/28/sharding-postgres-without-tears.html"


def run(command, *args):
    """Run an import command as an operator would; its report is what they read."""
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue()


def post_at(address):
    return next(p for p in Post.objects.all() if p.get_absolute_url() == address)


def part_rows():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "anchor", "position"))
        for model in (Stat, Quote, Item)
    }
