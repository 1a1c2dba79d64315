"""Text every part of the site can hold: nothing XML 1.0 forbids, no Unicode non-characters.

Feeds and sitemaps are XML, and a single U+FFFE or form feed in a title makes a whole feed
unreadable for every subscriber. What XML's `Char` production leaves out (C0 controls but tab,
line feed and carriage return; lone surrogates; U+FFFE and U+FFFF) and the other Unicode
non-characters (U+FDD0–U+FDEF and the last two code points of every plane) carry no meaning in
text a person writes, so they are dropped wherever text comes in: from every form
(`CleanInputMiddleware`) and on every model save (`clean_text_fields`, for imports and
commands; unique fields only through forms). DEL is dropped too: it is invisible and some
feed readers choke on it. Feeds still filter what they write, for rows stored before this
rule and for unique fields saved without a form.
"""

import re

from django.db import models

# The last two code points of planes 1 to 16 (U+1FFFE, U+1FFFF, … U+10FFFF).
_PLANE_ENDS = "".join(
    chr(plane * 0x10000 + end) for plane in range(1, 17) for end in (0xFFFE, 0xFFFF)
)
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff" + _PLANE_ENDS + "]"
)


def has_forbidden(text):
    return bool(_NOT_TEXT.search(text))


def xml_safe(text):
    """`text` without the characters XML cannot hold and the Unicode non-characters."""
    return _NOT_TEXT.sub("", text) if text else text


def clean_text_fields(sender, instance, raw=False, **kwargs):
    """pre_save: drop forbidden characters from the text fields of the row being saved.

    Unique fields (a tag's name, a slug, a username) are left alone: whoever saves one has
    looked for an existing row by the value as given (taggit's `add`, `get_or_create`), and
    cleaning it here could turn it into another row's value. Through a form they arrive
    cleaned already; elsewhere the feeds' output filter still covers them."""
    if raw:  # fixtures are loaded as they are
        return
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.unique:
            value = getattr(instance, field.attname)
            if isinstance(value, str) and has_forbidden(value):
                setattr(instance, field.attname, xml_safe(value))
