"""The sections of a sponsored post, as the importers recognise their headings.

The sponsors app owns the sections (sponsors.models.Listing.Section, the one definition of
their titles) and registers them here when it starts, because digest never imports sponsors.
Without it no heading is a section, so a sponsored post's text is all kept as text of the post.
"""

_KEYS = {}
# What the old site wrote in a section without listings; the placeholders of ours are added.
_PLACEHOLDERS = {"Your event could be here"}


def register_sections(choices, placeholders=()):
    """Make the headings of `choices`, (key, title) pairs, the sections the importers read,
    and `placeholders` (the texts of empty sections) text that is no listing."""
    _KEYS.clear()
    _KEYS.update({title: key for key, title in choices})
    _PLACEHOLDERS.update(text.split(".")[0] for text in placeholders)


def is_placeholder(text):
    """Whether `text` is an empty section's placeholder rather than a listing."""
    return any(text.startswith(start) for start in _PLACEHOLDERS)


def section_key(heading):
    """The key of the section whose title `heading` is ("Who's Hiring?", also written with a
    colon after it), or None when it is no section's."""
    heading = " ".join(heading.split())
    return _KEYS.get(heading) or _KEYS.get(heading.rstrip(":").rstrip())
