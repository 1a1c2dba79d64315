"""What every importer shares: the report, per-entry transactions, natural keys, authors."""

import hashlib
import json
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils.text import slugify

from ..models.parts import Item, Quote, Stat, parts_batch

OUTCOMES = ("created", "updated", "unchanged", "skipped")

# Sent after an imported entry's post is written, with `entry` (what was read) and `post`.
# Apps that own more of an entry's data listen: sponsors turns a sponsored post's listings
# into Sponsor and Listing rows (digest never imports sponsors).
entry_imported = Signal()


@dataclass
class Report:
    """What an import did: counts per kind and outcome, and every problem with its place."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    problems: list = field(default_factory=list)

    def add(self, kind, outcome):
        self.counts[kind][outcome] += 1

    def skip(self, kind, where, reason):
        self.add(kind, "skipped")
        self.problems.append(f"{where}: {reason}")

    def total(self, outcome):
        return sum(counts[outcome] for counts in self.counts.values())

    def summary(self):
        lines = []
        for kind in sorted(self.counts):
            counts = self.counts[kind]
            lines.append(f"{kind}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
        total = sum((c for c in self.counts.values()), Counter())
        lines.append("total: " + ", ".join(f"{total[o]} {o}" for o in OUTCOMES))
        return lines


def legacy_ref(path):
    """The natural key of a post the old site had at `path`, whichever importer brings it."""
    return f"url:{path}"


def fingerprint(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@contextmanager
def writes(dry_run):
    """Around an import: each entry commits on its own (an interrupted run keeps what it did),
    except in a dry run, which is one transaction rolled back at the end."""
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def person(name, default):
    """The account an imported post is written by: a guest by name, or the default author."""
    if not name:
        return default
    username = slugify(name)[:150] or default.username
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@guests.invalid", display_name=name)
        user.set_unusable_password()
        user.save()
    return user


def default_author(username=None):
    User = get_user_model()
    if username:
        return User.objects.get(username=username)
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        user, _ = User.objects.get_or_create(
            username="archive",
            defaults={"email": "archive@invalid.invalid", "display_name": "Archive"},
        )
    return user


def replace_parts(post, stats=(), quotes=(), items=()):
    """Make the digest's parts exactly these (figure, label) / (speaker, text) / text lists."""
    with parts_batch():
        for model in (Stat, Quote, Item):
            model.objects.filter(post=post).delete()
        for position, (figure, label) in enumerate(stats):
            Stat.objects.create(post=post, position=position, figure=figure, label=label)
        for position, (speaker, text) in enumerate(quotes):
            Quote.objects.create(post=post, position=position, speaker=speaker, text=text)
        for position, text in enumerate(items):
            Item.objects.create(post=post, position=position, text=text)
