"""Scalepress's own record of a post inside a WXR item: the `_scalepress_post` postmeta.

A WXR export written by wxr_writer carries the post twice: as readable HTML in
`content:encoded`, for WordPress and every other tool, and as this JSON record, for Scalepress.
The record holds what HTML cannot say exactly: the text as stored (Markdown or imported HTML),
the byline and support paragraph, the kind, the natural key, the exact publish time, and a
digest's parts with their anchors, so `#quote-7` still points at the same quote after the
round trip. import_wxr prefers a record it can read over re-reading the HTML; one it cannot
read is reported and the HTML is read instead.

`post_data(post)` writes a record; `read_post_data(raw)` checks one (types, lengths, choices,
web addresses, anchors) and returns it, or says what is wrong with it.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..models import Item, Post, Quote, Stat

META_KEY = "_scalepress_post"
VERSION = 1
PART_FIELDS = {
    "stats": (Stat, ("figure", "figure_url", "label", "text_format", "on_index")),
    "quotes": (Quote, ("speaker", "text", "source_url", "source_on", "text_format", "on_index")),
    "items": (Item, ("text", "text_format", "on_index")),
}
TEXT_FIELDS = ("text_format", "excerpt", "body", "byline", "support_html")
URL_FIELDS = {"figure_url", "source_url"}
_is_web_address = URLValidator(schemes=["http", "https"])


@dataclass
class PostData:
    """A checked `_scalepress_post` record."""

    ref: str
    kind: str
    publish_at: datetime | None
    text_format: str
    excerpt: str
    body: str
    byline: str
    support_html: str
    more_quotes: bool
    legacy_id: str
    date_is_guessed: bool
    excerpt_only: bool
    stats: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    items: list = field(default_factory=list)


def post_data(post):
    """The record of `post` (its stats, quotes and items prefetched for a digest)."""
    data = {
        "version": VERSION,
        "ref": post.import_ref or "",
        "kind": post.kind,
        "publish_at": post.publish_at.isoformat(),
        **{name: getattr(post, name) for name in TEXT_FIELDS},
        "more_quotes": post.more_quotes_marker,
        "legacy_id": post.legacy_id,
        "date_is_guessed": post.date_is_guessed,
        "excerpt_only": post.excerpt_only,
    }
    if post.kind == Post.Kind.DIGEST:
        for name, (_, fields) in PART_FIELDS.items():
            data[name] = [
                {"anchor": part.anchor, **{f: getattr(part, f) for f in fields}}
                for part in getattr(post, name).all()
            ]
    return data


def dump(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class _Unreadable(ValueError):
    pass


def read_post_data(raw):
    """(PostData, "") for a readable record; (None, why not) otherwise."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        return None, f"is not JSON ({error})"
    try:
        return _check(data), ""
    except _Unreadable as error:
        return None, str(error)


def _check(data):
    if not isinstance(data, dict):
        raise _Unreadable("is not a JSON object")
    if data.get("version") != VERSION:
        raise _Unreadable(f"has version {data.get('version')!r}; this Scalepress reads {VERSION}")
    kind = _choice(data, "kind", Post.Kind.values)
    text_format = _choice(data, "text_format", Post.Format.values)
    checked = PostData(
        ref=_text(data, "ref", Post, "import_ref"),
        kind=kind,
        publish_at=_moment(data.get("publish_at")),
        text_format=text_format,
        excerpt=_text(data, "excerpt"),
        body=_text(data, "body"),
        byline=_text(data, "byline"),
        support_html=_text(data, "support_html"),
        more_quotes=_flag(data, "more_quotes"),
        legacy_id=_text(data, "legacy_id", Post, "legacy_id"),
        date_is_guessed=_flag(data, "date_is_guessed"),
        excerpt_only=_flag(data, "excerpt_only"),
    )
    if kind == Post.Kind.DIGEST:
        for name, (model, fields) in PART_FIELDS.items():
            setattr(checked, name, _parts(data.get(name, []), name, model, fields))
    return checked


def _parts(values, name, model, fields):
    if not isinstance(values, list):
        raise _Unreadable(f"has {name} that are not a list")
    parts, anchors = [], set()
    for number, value in enumerate(values, start=1):
        where = f"{name} {number}"
        if not isinstance(value, dict):
            raise _Unreadable(f"has {where} that is not an object")
        anchor = value.get("anchor")
        if not isinstance(anchor, int) or isinstance(anchor, bool) or anchor < 1:
            raise _Unreadable(f"has {where} without a positive whole anchor")
        if anchor in anchors:
            raise _Unreadable(f"has the anchor {anchor} twice in its {name}")
        anchors.add(anchor)
        part = {"anchor": anchor}
        for name_ in fields:
            model_field = model._meta.get_field(name_)
            if name_ == "on_index":
                # Exports from before stats had a fold carry none: they were all on the index.
                part[name_] = _flag(value, name_, where, default=model is Stat)
            elif model_field.choices:
                part[name_] = _choice(value, name_, [c for c, _ in model_field.choices], where)
            else:
                part[name_] = _text(value, name_, model, name_, where)
        parts.append(part)
    return parts


def _text(data, name, model=None, model_field=None, where=""):
    value = data.get(name, "")
    if not isinstance(value, str):
        raise _Unreadable(f"has {_place(name, where)} that is not text")
    limit = model._meta.get_field(model_field).max_length if model else None
    if limit and len(value) > limit:
        raise _Unreadable(f"has {_place(name, where)} longer than {limit} characters")
    if name in URL_FIELDS and value:
        try:
            _is_web_address(value)
        except ValidationError as error:
            raise _Unreadable(f"has {_place(name, where)} that is not a web address") from error
    return value


def _choice(data, name, allowed, where=""):
    value = data.get(name)
    if value not in allowed:
        raise _Unreadable(f"has {_place(name, where)} {value!r}, not one of {', '.join(allowed)}")
    return value


def _flag(data, name, where="", default=False):
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise _Unreadable(f"has {_place(name, where)} that is not true or false")
    return value


def _moment(value):
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise _Unreadable(f"has the publish time {value!r}, which is not a date") from error
    if moment.tzinfo is None:
        raise _Unreadable(f"has the publish time {value!r} without a time zone")
    return moment


def _place(name, where):
    return f"{where}'s {name}" if where else f"a {name}"
