"""The digest's parts in the post's change form: one inline a kind, each read in one query,
and the parts in hand after a save (the formsets' rows and what the paste boxes added)."""

from adminsortable2.admin import SortableStackedInline, SortableTabularInline
from django import forms
from django.db import models

from .forms import PartFormSet
from .models import Item, Quote, Stat


class StatInline(SortableTabularInline):
    model = Stat
    formset = PartFormSet
    fields = ("figure", "figure_url", "label", "on_index")
    extra = 0
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 40})},
        models.URLField: {"assume_scheme": "https", "widget": forms.URLInput(attrs={"size": 16})},
    }


class QuoteInline(SortableTabularInline):
    model = Quote
    formset = PartFormSet
    fields = ("speaker", "text", "source_url", "on_index")
    extra = 0
    # Three rows: a quote is read in its box; the width follows the column (composer.css).
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 16})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 40})},
        models.URLField: {"assume_scheme": "https", "widget": forms.URLInput(attrs={"size": 16})},
    }


class ItemInline(SortableStackedInline):
    model = Item
    formset = PartFormSet
    fields = ("text", "on_index")
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 90})}
    }


# The paste boxes: which part each adds and from what of the parsed line.
PASTED = (
    ("paste_stats", Stat, lambda e: {"figure": e.figure, "label": e.label}),
    ("paste_quotes", Quote, lambda e: {"speaker": e.speaker, "text": e.text}),
    ("paste_items", Item, lambda e: {"text": e.text}),
)


def standing_parts(formsets, post):
    """The stats, quotes and items of a digest as its inline formsets left them (saved, kept
    or untouched; not deleted), in order: the parts in hand, read once by the formsets. A kind
    the form had no formset for (the post just became a digest) is read from its rows. Also
    the highest anchor each kind has given, deleted parts included, so that parts added now
    never take the address of one deleted in the same save."""
    by_model = {model: None for _, model, _ in PASTED}
    highest = dict.fromkeys(by_model, 0)
    for formset in formsets:
        if formset.model in by_model:
            by_model[formset.model] = sorted(
                (form.instance for form in formset.forms if form.instance.pk is not None),
                key=lambda part: (part.position, part.pk),
            )
            deleted = getattr(formset, "deleted_objects", [])
            highest[formset.model] = max((part.anchor for part in deleted), default=0)
    for model, parts in by_model.items():
        if parts is None:
            by_model[model] = list(model.objects.filter(post=post)) if post.pk else []
    return list(by_model.values()), list(highest.values())
