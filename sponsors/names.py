"""Company names: what a name may hold, and which names look like another.

A name is shown in the sidebar of every page, in feed titles and in e-mail subjects, so it is
a name and nothing else: no markup characters, no control characters, nothing that reverses
the direction of the text around it. A name may still imitate another sponsor's with letters
of another script (a Cyrillic "е" in "Nеtflix"); `skeleton` reduces a name to what it looks
like, and editors are warned about a name whose skeleton another sponsor's has.

The look-alike table is ours and small on purpose: the letters of Cyrillic, Greek, Armenian
and Cherokee that pass for Latin ones, plus NFKC (full-width and mathematical letters) and
the digit and letter pairs people misread. The full Unicode confusables data (the
confusable-homoglyphs package) costs a third of a second and 9 MB in every worker for a
warning only editors see.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Characters that change the direction of the text after them (U+202A–U+202E, U+2066–U+2069)
# or mark one (LRM, RLM, ALM): in a name they turn "Acme" into what reads as another name.
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NOT_IN_NAMES = set("<>") | BIDI_CONTROLS

LOOKS_LATIN = str.maketrans(
    {
        # Cyrillic
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
        "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "Ԁ": "d",
        "Ү": "y", "Һ": "h", "Ӏ": "l", "Ԛ": "q", "Ԝ": "w", "Ё": "e", "Ї": "i",
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
        "ү": "y", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ё": "e", "ї": "i", "ɡ": "g",
        # Greek
        "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m",
        "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "Ϲ": "c", "Ϳ": "j",
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
        # Armenian and Cherokee
        "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ռ": "n", "Օ": "o", "Ս": "u",
        "Ꭺ": "a", "Ᏼ": "b", "Ꮯ": "c", "Ꭼ": "e", "Ꮋ": "h", "Ꮶ": "k", "Ꮇ": "m", "Ꮲ": "p",
        "Ꮪ": "s", "Ꭲ": "t", "Ꮃ": "w", "Ꮓ": "z",
        # Latin letters that pass for others
        "ı": "i", "ɩ": "i", "ɑ": "a", "ʏ": "y", "ꞵ": "b",
    }
)  # fmt: skip
# Pairs people misread in Latin text itself.
MISREAD = (("rn", "m"), ("vv", "w"), ("cl", "d"))
MISREAD_CHARS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "!": "l"})


def validate_company_name(value):
    bad = sorted({ch for ch in value if ch in NOT_IN_NAMES or unicodedata.category(ch) == "Cc"})
    if bad:
        raise ValidationError(
            "A company name cannot contain “<” or “>”, control characters or characters that "
            "change the direction of the text.",
            code="bad_characters",
        )


def skeleton(name):
    """What `name` looks like, reduced to plain letters and digits: two names with the same
    skeleton can be taken for one another ("Nеtflix" with a Cyrillic "е", "NETFL1X",
    "Net flix")."""
    text = unicodedata.normalize("NFKC", name).translate(LOOKS_LATIN).casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = text.translate(LOOKS_LATIN).translate(MISREAD_CHARS)
    for pair, single in MISREAD:
        text = text.replace(pair, single)
    return re.sub(r"[\W_]+", "", text)
