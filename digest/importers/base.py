"""What every importer shares: the report, natural keys, authors, and the one write path.

Each importer reads its input into `ImportedPost`s (sanitised HTML, parts as field values, the
notes on what was kept loosely) and hands them to `write_post`, which finds the post again by
its natural key, or by title and kind when the date was only guessed, writes what changed and
nothing else, and keeps every part's anchor.
"""

import hashlib
import json
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.dispatch import Signal
from django.utils.text import slugify

from caching.content import prebuild_paused

from ..models import Post, StaleEdit, slug_from_title
from ..models.parts import sync_parts

# The old site's post addresses: /blog/<y>/<m>/<d>/<slug>.html (Squarespace links drop .html).
LEGACY_LINK_RE = re.compile(
    r"/blog/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<slug>[^/?#]+?)(?:\.html)?/?$"
)

OUTCOMES = ("created", "updated", "unchanged", "skipped")

# Sent after an imported entry's post is written, with `entry` (what was read) and `post`.
# Apps that own more of an entry's data listen: sponsors turns a sponsored post's listings
# into Sponsor and Listing rows (digest never imports sponsors).
entry_imported = Signal()


@dataclass
class Report:
    """What an import did: counts per kind and outcome, every problem with its place, and how
    many lines (stats chunks, quotes, items, paragraphs) were kept as their structured kind or
    only as text (the notes say which and why)."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    problems: list = field(default_factory=list)  # what was not imported, and why
    notes: list = field(default_factory=list)  # what was imported in a looser shape
    structured: int = 0
    as_text: int = 0

    def add(self, kind, outcome):
        self.counts[kind][outcome] += 1

    def skip(self, kind, where, reason):
        self.add(kind, "skipped")
        self.problems.append(f"{where}: {reason}")

    def note(self, where, message):
        """Something kept in a looser shape than it came in (the post itself was imported)."""
        self.notes.append(f"{where}: {message}")

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
        # The sidebar is built for readers once, after the last entry (caching.content).
        with prebuild_paused():
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


# A post whose date was guessed is the same post as one of the same title and kind within
# this many days (archive pages overlap; their guesses differ by days, not months).
GUESS_WINDOW = timedelta(days=60)


@dataclass
class ImportedPost:
    """One post as an importer read it, before it is written. Texts are sanitised HTML (or
    Markdown for `text_format="markdown"`); parts are lists of field values (PART_CONTENT)."""

    ref: str
    title: str
    kind: str
    publish_at: datetime
    source: str = "feed"  # archive, feed or wxr (SOURCE_RANK)
    where: str = ""
    date_is_guessed: bool = False
    slug: str = ""
    status: str = Post.Status.PUBLISHED
    author_name: str = ""
    byline: str = ""
    excerpt: str = ""
    body: str = ""
    text_format: str = Post.Format.HTML
    support_html: str = ""
    tags: list = field(default_factory=list)
    stats: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    items: list = field(default_factory=list)
    more_quotes: bool = False
    legacy_id: str = ""
    excerpt_only: bool = False
    # Sponsored posts: sponsor names in the title's order, and (section key, Markdown) listings.
    sponsors: list = field(default_factory=list)
    listings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    structured: int = 0
    as_text: int = 0

    def fingerprint(self):
        data = asdict(self)
        for transient in ("where", "notes", "structured", "as_text", "source"):
            data.pop(transient)
        return fingerprint(data)


def find_post(imported, taken=()):
    """The post this import is about: by its natural key; else, when either side's date is
    only a guess, the imported post of the same title and kind published nearest to it. A post
    written earlier in the same run (`taken`) is never matched by title: one file or feed that
    lists the same title twice (a weekly sponsored post) means two posts."""
    post = Post.objects.filter(import_ref=imported.ref[:500]).first()
    if post is not None:
        return post
    near = Post.objects.filter(
        import_ref__isnull=False,
        title=imported.title[:200],
        kind=imported.kind,
        publish_at__range=(
            imported.publish_at - GUESS_WINDOW,
            imported.publish_at + GUESS_WINDOW,
        ),
    ).exclude(pk__in=taken)
    if not imported.date_is_guessed:
        near = near.filter(date_is_guessed=True)
    return min(near, key=lambda post: abs(post.publish_at - imported.publish_at), default=None)


# How much of a post each source carries: archive pages show what the index showed, a feed
# the post as HTML (often only its excerpt), a WXR export everything.
SOURCE_RANK = {"archive": 1, "feed": 2, "wxr": 3}


def write_post(imported, default, taken):
    """Create or update the post `imported` describes; returns "created", "updated" or
    "unchanged". Raises ValueError when it cannot be stored at all (the caller reports it).

    A source poorer than the one that wrote the post (SOURCE_RANK) changes nothing of it but a
    guessed date, which its real one corrects: an archive page never replaces a feed's links
    and pictures, nor a feed a WXR export's full text, tags, author or draft status."""
    if not imported.title:
        raise ValueError("has no title")
    post = find_post(imported, taken)
    if post is not None:
        taken.add(post.pk)
    digest = imported.fingerprint()
    if post is not None and post.import_hash == digest:
        return "unchanged"
    if post is not None and SOURCE_RANK.get(post.import_source, 0) > SOURCE_RANK[imported.source]:
        return _correct_date(post, imported)
    outcome = "created" if post is None else "updated"
    post = post or Post()
    keeps_date = imported.date_is_guessed and post.pk and not post.date_is_guessed
    if not keeps_date:
        # A real date (or the first guess) decides the address; a guess never moves a post
        # whose real date is known.
        post.import_ref = imported.ref[:500]
        post.publish_at, post.date_is_guessed = imported.publish_at, imported.date_is_guessed
        post.slug = imported.slug or slug_from_title(imported.title)
    post.title, post.kind, post.status = imported.title[:200], imported.kind, imported.status
    post.author = person(imported.author_name.strip()[:100], default)
    post.byline = imported.byline
    if not (imported.excerpt_only and post.pk and not post.excerpt_only):
        # An excerpt-only feed never replaces a full text already imported (from WXR).
        post.text_format, post.excerpt, post.body = (
            imported.text_format,
            imported.excerpt,
            imported.body,
        )
        post.excerpt_only = imported.excerpt_only
    post.support_html = imported.support_html
    post.more_quotes_marker = imported.more_quotes
    post.legacy_id = imported.legacy_id[:64] or post.legacy_id
    post.import_hash, post.import_source = digest, imported.source
    if post.pk is None:
        post.save()  # its parts need its row
    if imported.kind == Post.Kind.DIGEST:
        sync_parts(post, stats=imported.stats, quotes=imported.quotes, items=imported.items)
    else:
        sync_parts(post)  # renders whatever parts it has, as it has them
    post.save()
    post.tags.set(imported.tags)
    taken.add(post.pk)
    entry_imported.send(sender=Post, entry=imported, post=post)
    return outcome


def _correct_date(post, imported):
    """A poorer source's only say: the real date and address of a post whose date is a guess."""
    if imported.date_is_guessed or not post.date_is_guessed:
        imported.notes.append(
            f"kept as the {post.get_import_source_display()} brought it (a richer source)"
        )
        return "unchanged"
    post.import_ref = imported.ref[:500]
    post.publish_at, post.date_is_guessed = imported.publish_at, False
    post.slug = imported.slug or post.slug
    post.save(update_fields=["import_ref", "publish_at", "date_is_guessed", "slug", "updated"])
    imported.notes.append(
        f"given its real date; the rest kept as the {post.get_import_source_display()} brought it"
    )
    return "updated"


def run_import(report, imported_posts, default, *, progress=None, total=None):
    """Write each post in its own savepoint (one that cannot be stored is reported and the
    others are written) and count what was kept structured and as text."""
    taken = set()
    for done, imported in enumerate(imported_posts, start=1):
        try:
            with transaction.atomic():
                report.add(imported.kind, write_post(imported, default, taken))
        except ValueError as error:
            report.skip(imported.kind, imported.where, str(error))
            continue
        except (DatabaseError, StaleEdit) as error:
            # StaleEdit: an editor saved the post while the import ran; theirs is kept.
            report.skip(imported.kind, imported.where, f"could not be saved: {error}")
            continue
        report.structured += imported.structured
        report.as_text += imported.as_text
        for note in imported.notes:
            report.note(imported.where, str(note))
        if progress and total and (done % 100 == 0 or done == total):
            progress(done, total)
