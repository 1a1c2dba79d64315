import difflib
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .parts import Item, Quote, Stat, sync_parts
from .post import Post

POST_FIELDS = [
    "title",
    "slug",
    "kind",
    "status",
    "byline",
    "lead_image",
    "lead_image_caption",
    "excerpt",
    "body",
]
RESTORED_FIELDS = [f for f in POST_FIELDS if f not in ("slug", "status", "lead_image")]
PART_FIELDS = {
    "stats": (Stat, ["figure", "figure_url", "label", "text_format", "on_index", "anchor"]),
    "quotes": (
        Quote,
        ["speaker", "text", "source_url", "source_on", "text_format", "on_index", "anchor"],
    ),
    "items": (Item, ["text", "text_format", "on_index", "anchor"]),
}


def snapshot(post, parts=None, tags=None):
    """Everything an editor wrote in a post, parts included, as JSON-ready data. `parts`
    (stats, quotes, items) and `tags` as they now stand, when the caller has them in hand;
    else they are read."""
    data = {field: str(getattr(post, field) or "") for field in POST_FIELDS}
    data["publish_at"] = post.publish_at.isoformat()
    data["author_id"] = post.author_id
    data["tags"] = sorted(post.tags.names() if tags is None else tags)
    if parts is None:
        parts = [getattr(post, name).all() for name in PART_FIELDS]
    for (name, (_, fields)), standing in zip(PART_FIELDS.items(), parts, strict=True):
        data[name] = [{field: getattr(part, field) for field in fields} for part in standing]
    return data


class RevisionQuerySet(models.QuerySet):
    def saves(self):
        """The post as each save left it: its history, compared and restored."""
        return self.filter(is_autosave=False)

    def autosaves(self):
        """Unsaved forms kept by the composer's autosave, one per post and editor."""
        return self.filter(is_autosave=True)


# What one autosave may hold: the post form's fields, with its parts' rows.
AUTOSAVE_MAX_FIELDS = 3000
AUTOSAVE_MAX_NAME = 100


class Revision(models.Model):
    """A post as it was after one save: kept for every save, restorable by an editor.

    An autosave is a revision too (`is_autosave`): the composer's form as an editor left it,
    never written to the post. Its `version` is the post's version the form was opened on,
    so that restoring it into the form and saving meets any save made since as a merge.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField()
    is_autosave = models.BooleanField(default=False, editable=False)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at", "-pk"]
        get_latest_by = "saved_at"

    def __str__(self):
        return f"{self.post} (version {self.version})"

    @classmethod
    def record(cls, post, by=None, note="", parts=None, tags=None):
        """Keep the post as it was just saved (see `snapshot` for `parts` and `tags`)."""
        return cls.objects.create(
            post=post,
            version=post.version,
            saved_by=by,
            note=note,
            data=snapshot(post, parts, tags),
        )

    @classmethod
    def autosave(cls, post, by, fields, version):
        """Keep `by`'s unsaved form of `post` (`fields`: its field names and values, as the
        browser would send them; `version`: the post's version the form was opened on). One
        autosave per post and editor, replaced by the next; one from a form opened on an
        older version than the kept autosave (another tab) is refused with ValueError, as
        is a form too large to be a post's. The post itself is never written."""
        if len(fields) > AUTOSAVE_MAX_FIELDS or any(
            len(name) > AUTOSAVE_MAX_NAME or not isinstance(value, str)
            for name, value in fields.items()
        ):
            raise ValueError("This is not a post's form.")
        with transaction.atomic():
            kept = (
                cls.objects.autosaves()
                .select_for_update()
                .filter(post=post, saved_by=by)
                .order_by("-pk")
                .first()
            )
            if kept is not None and kept.version > version:
                raise ValueError("A newer autosave of this post (a form opened later) is kept.")
            if kept is None:
                kept = cls(post=post, saved_by=by, is_autosave=True)
            kept.version, kept.data, kept.saved_at = version, {"form": fields}, timezone.now()
            kept.save()
        return kept

    @classmethod
    def discard_autosave(cls, post, by):
        """Forget `by`'s autosave of `post` (their save wrote it, or they said so)."""
        cls.objects.autosaves().filter(post=post, saved_by=by).delete()

    @transaction.atomic
    def restore(self, by=None):
        """Bring back what was written in this revision; the restore is a new revision itself.

        The address and visibility stay as they are now (slug, status, publish time): a restore
        never breaks a permalink readers have, nor takes a live post off the site.
        """
        post = Post.objects.select_for_update().get(pk=self.post_id)
        data = self.data
        for field in RESTORED_FIELDS:
            setattr(post, field, data[field])
        image = data["lead_image"]
        if not image or post.lead_image.storage.exists(image):
            post.lead_image = image
        post.author_id = data["author_id"]
        # Revisions from before a field existed lack it: the model's default stands in.
        parts = {
            name: [{f: values[f] for f in fields if f in values} for values in data.get(name, [])]
            for name, (_, fields) in PART_FIELDS.items()
        }
        sync_parts(post, **parts)
        post.save()
        post.tags.set(data["tags"])
        return Revision.record(post, by=by, note=f"Restored version {self.version}")


# --- Comparing two revisions, in the words of the post's form ---------------------------------

# The fields a revision keeps that an editor compares, with the label the form gives them.
COMPARED = ("title", "status", "publish_at", "author_id", "tags", "lead_image",
            "lead_image_caption", "byline", "excerpt", "body", "slug", "kind")  # fmt: skip
PART_NOUNS = {"stats": "stat", "quotes": "quote", "items": "item"}
PART_TEXT = {"stats": ("figure", "label"), "quotes": ("speaker", "text"), "items": ("text",)}


def field_label(name, kind=""):
    """The label the post's form shows for a field of a revision ("publish time"; a digest's
    excerpt is its "intro")."""
    if name == "excerpt" and kind == Post.Kind.DIGEST:
        return "intro"
    if name == "author_id":
        name = "author"
    if name == "tags":
        return "tags"
    return str(Post._meta.get_field(name).verbose_name)


def part_changes(kind, older, newer):
    """What happened to one kind of part between two revisions, by each part's anchor (its
    lasting identity): "quote 5 edited", "quote 7 added", "quote 2 removed", "quotes
    reordered", "quote 3 off the index". Numbers are places in the list, counted from 1."""
    noun = PART_NOUNS[kind]
    before = {part.get("anchor"): (n, part) for n, part in enumerate(older, 1)}
    after = {part.get("anchor"): (n, part) for n, part in enumerate(newer, 1)}
    said = []
    for anchor, (place, part) in after.items():
        if anchor not in before:
            said.append(f"{noun} {place} added")
            continue
        was = before[anchor][1]
        if any(was.get(f) != part.get(f) for f in part if f not in ("on_index", "anchor")):
            said.append(f"{noun} {place} edited")
        if "on_index" in part and was.get("on_index") != part.get("on_index"):
            said.append(f"{noun} {place} {'on' if part['on_index'] else 'off'} the index")
    said += [f"{noun} {place} removed" for a, (place, _) in before.items() if a not in after]
    kept = [a for a in before if a in after]
    if kept != [a for a in after if a in before]:
        said.append(f"{kind} reordered")
    return said


def changes_between(older, newer):
    """What differs between two snapshots, in the form's words: "publish time", "quote 5
    edited"."""
    if older is None:
        return ["first version"]
    kind = newer.get("kind", "")
    changed = [field_label(f, kind) for f in COMPARED if older.get(f) != newer.get(f)]
    for kind in PART_NOUNS:
        changed += part_changes(kind, older.get(kind, []), newer.get(kind, []))
    return changed or ["no changes"]


def text_diff(old, new):
    """`new` against `old`, word by word, as HTML: removed words in <del>, added in <ins>."""
    old_words, new_words = str(old or "").split(" "), str(new or "").split(" ")
    pieces = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("span", " ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("del", " ".join(old_words[a1:a2])))
        if b2 > b1:
            pieces.append(("ins", " ".join(new_words[b1:b2])))
    return format_html_join(" ", "<{0}>{1}</{0}>", pieces)


@dataclass(frozen=True)
class Difference:
    """One line of a comparison: what (a field or a part), and the change as HTML."""

    what: str
    diff: str


def compare(older, newer):
    """Every field and part that differs between two snapshots, with a readable diff."""
    rows = []
    for name in COMPARED:
        old, new = older.get(name), newer.get(name)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            old, new = ", ".join(old or []), ", ".join(new or [])
        rows.append(Difference(field_label(name, newer.get("kind", "")), text_diff(old, new)))
    for kind, noun in PART_NOUNS.items():
        before = {p.get("anchor"): p for p in older.get(kind, [])}
        for place, part in enumerate(newer.get(kind, []), 1):
            was = before.pop(part.get("anchor"), None)
            shown = " : ".join(str(part.get(f) or "") for f in PART_TEXT[kind])
            if was is None:
                rows.append(
                    Difference(f"{noun} {place} (new)", format_html("<ins>{}</ins>", shown))
                )
            elif was != part:
                old_shown = " : ".join(str(was.get(f) or "") for f in PART_TEXT[kind])
                note = ""
                if was.get("on_index") != part.get("on_index"):
                    note = " (on the index)" if part.get("on_index") else " (off the index)"
                rows.append(Difference(f"{noun} {place}{note}", text_diff(old_shown, shown)))
        for part in before.values():
            shown = " : ".join(str(part.get(f) or "") for f in PART_TEXT[kind])
            rows.append(Difference(f"{noun} (removed)", format_html("<del>{}</del>", shown)))
    return rows
