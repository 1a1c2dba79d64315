from dataclasses import dataclass
from datetime import datetime

from adminsortable2.admin import CustomInlineFormSet
from django import forms
from django.contrib.admin.widgets import AdminFileWidget, AdminTextInputWidget
from django.utils import formats, timezone

from safe_images import FORMAT_NAMES
from safe_images.pending import accept_upload

from .importers.archive_format import read_pasted_digest
from .models import LEAD_IMAGE_MAX_BYTES, Post, Revision
from .parsing import parse_items, parse_quotes, parse_stats

LEAD_IMAGE_FIT = (2400, 2400)

PASTE_BOXES = {
    # field: (parser, label, help)
    "paste_stats": (
        parse_stats,
        "Paste stats",
        "A stats line: “200K : msgs per second through iMessage; 750 million : xactions per "
        "week;”. Each becomes a stat, added after the ones above.",
    ),
    "paste_quotes": (
        parse_quotes,
        "Paste quotes",
        "One quote a line: “@antirez : text” or “Joseph Bradley : text”; bullets are fine.",
    ),
    "paste_items": (
        parse_items,
        "Paste items",
        "Items separated by bullets or blank lines. Each becomes an item.",
    ),
}

# The box that takes a whole digest and sorts it into the three lists (and the intro).
PASTE_DIGEST = (
    "Paste a whole digest",
    "The digest as text, from a page or an e-mail: an intro, the stats line, “Quotable "
    "Quotes:” with its quotes, then the items. Each goes after the ones above; the intro goes "
    "in the intro (after it, if there is one). Lines the site writes itself (the title, the "
    "support and closing lines) are left out and listed.",
)


class PostAdminForm(forms.ModelForm):
    """The admin's post form; it remembers which version of the post the editor opened.

    If someone else saved the post in between, the save is refused with a message and
    nothing is overwritten (Post.save enforces the same rule for a save that races this check).
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A plain file field: safe_images checks and re-encodes it, with its own messages.
    lead_image = forms.FileField(
        required=False,
        widget=AdminFileWidget,
        help_text=f"{FORMAT_NAMES}, up to 5 MB; stored at most "
        f"{LEAD_IMAGE_FIT[0]} × {LEAD_IMAGE_FIT[1]} pixels.",
    )
    paste_digest = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    paste_stats = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    paste_quotes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    paste_items = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))

    class Meta:
        model = Post
        widgets = {
            "title": AdminTextInputWidget(attrs={"style": "width: 40em"}),
            "slug": AdminTextInputWidget(attrs={"style": "width: 40em"}),
            "lead_image_caption": AdminTextInputWidget(attrs={"style": "width: 40em"}),
        }
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "publish_at",
            "author",
            "tags",
            "lead_image",
            "lead_image_caption",
            "byline",
            "excerpt",
            "body",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        # Left empty, the slug is made from the title (titles in other scripts, emoji-only
        # titles, for which the admin's JavaScript fills in nothing).
        if "slug" in self.fields:
            self.fields["slug"].required = False
        for name, (_, label, help_text) in PASTE_BOXES.items():
            self.fields[name].label, self.fields[name].help_text = label, help_text
        self.fields["paste_digest"].label, self.fields["paste_digest"].help_text = PASTE_DIGEST
        self.pasted, self.paste_notes = {}, {}
        self.conflicts = []

    def _clean_paste(self, name):
        """Every pasted line is added; the ones kept loosely (a quote with no speaker, a stat
        that stays text) are listed for the editor by `paste_notes`, with their numbers."""
        parser = PASTE_BOXES[name][0]
        text = self.cleaned_data.get(name, "")
        parsed = parser(text) if text.strip() else None
        self.pasted[name] = parsed.entries if parsed else []
        self.paste_notes[name] = parsed.notes if parsed else []
        return text

    def clean_slug(self):
        # Empty: a new post gets one made from its title; a published one keeps its address.
        return self.cleaned_data.get("slug") or (self.instance.slug if self.instance.pk else "")

    def clean_lead_image(self):
        return accept_upload(self, "lead_image", max_bytes=LEAD_IMAGE_MAX_BYTES, fit=LEAD_IMAGE_FIT)

    def clean_paste_stats(self):
        return self._clean_paste("paste_stats")

    def clean_paste_quotes(self):
        return self._clean_paste("paste_quotes")

    def clean_paste_items(self):
        return self._clean_paste("paste_items")

    def _add_pasted_digest(self, cleaned):
        """What the whole-digest box holds, after what the three boxes hold; its intro after
        the intro typed (nothing pasted is dropped)."""
        text = cleaned.get("paste_digest", "")
        if not text.strip():
            return
        entry = read_pasted_digest(text)
        for name, parts in (
            ("paste_stats", entry.stats),
            ("paste_quotes", entry.quotes),
            ("paste_items", entry.items),
        ):
            self.pasted[name] = [*self.pasted.get(name, []), *parts]
        notes = list(entry.notes)
        if entry.intro:
            typed = (cleaned.get("excerpt") or "").strip()
            if typed:
                notes.append("its intro was added after the intro that was already there")
            cleaned["excerpt"] = "\n\n".join(filter(None, [typed, *entry.intro]))
        self.paste_notes["paste_digest"] = notes

    def clean(self):
        cleaned = super().clean()
        self._add_pasted_digest(cleaned)
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is None:
            raise forms.ValidationError(
                "This form does not say which version of the post it was opened on, so it "
                "cannot be saved safely. Reload the page and make your changes again."
            )
        # The post in hand was read for this request; a save that lands after this check is
        # refused by the write itself (Post.save).
        if self.instance.pk and self.instance.version != loaded:
            self.conflicts = field_conflicts(self, cleaned, loaded)
            if self.data.get("merge_version") == str(self.instance.version):
                # The editor chose, field by field, on the page listing the differences
                # against exactly this version: theirs where asked, the form's values else.
                for conflict in self.conflicts:
                    if self.data.get(f"merge_{conflict.name}") == "theirs":
                        cleaned[conflict.name] = conflict.theirs_value
                self.conflicts = []
                return cleaned
            raise stale_message(self.instance)
        return cleaned

    def _get_validation_exclusions(self):
        # The author's field has just read the account among those allowed; the model's own
        # check would read it again.
        return {*super()._get_validation_exclusions(), "author"}


# The post's fields a stale save is compared on: the form's, but the lead image (a file: it is
# kept as the post has it unless the editor uploads one again).
COMPARED_FIELDS = tuple(f for f in PostAdminForm.Meta.fields if f != "lead_image")


@dataclass(frozen=True)
class Conflict:
    """One field of a stale save whose value differs from the current version's: both values
    as an editor reads them, and which one is chosen unless the editor says otherwise."""

    name: str
    label: str
    mine: str
    theirs: str
    theirs_value: object
    # Mine when this editor changed the field since opening the form; theirs when only the
    # other save did (what this editor's form holds there is the old value).
    keep_mine: bool


def _shown(form, name, value):
    """A field's value as the editor reads it on the page."""
    if value is None:
        return ""
    if name == "tags":
        return ", ".join(sorted(value))
    if name == "publish_at":
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if name in ("kind", "status"):
        return dict(form.fields[name].choices).get(value, value)
    return str(value)


def _current_value(instance, name):
    if name == "tags":
        return sorted(instance.tags.names())
    return getattr(instance, name)


def field_conflicts(form, cleaned, loaded):
    """The fields where the submitted form and the post as it now stands differ. The version
    the form was opened on (its revision, when kept) tells who changed each: a field this
    editor left alone takes the other save's value by default."""
    opened = Revision.objects.saves().filter(post=form.instance, version=loaded).first()
    base = opened.data if opened else {}
    conflicts = []
    for name in COMPARED_FIELDS:
        if name not in cleaned or name not in form.fields:
            continue
        mine, theirs = cleaned[name], _current_value(form.instance, name)
        if name == "tags":
            mine = sorted(mine or [])
        if mine == theirs:
            continue
        was = base.get("author_id" if name == "author" else name)
        if name == "author":
            mine_key = getattr(mine, "pk", None)
        elif name == "publish_at":
            # The form's time has whole seconds; a stored time may carry microseconds.
            mine_key = mine.replace(microsecond=0) if mine else None
            was = datetime.fromisoformat(was).replace(microsecond=0) if was else None
        else:
            mine_key = mine if name == "tags" else str(mine or "")
        label = form.fields[name].label or form.instance._meta.get_field(name).verbose_name
        conflicts.append(
            Conflict(
                name=name,
                label=str(label),
                mine=_shown(form, name, mine),
                theirs=_shown(form, name, theirs),
                theirs_value=theirs,
                keep_mine=not base or mine_key != was,
            )
        )
    return conflicts


def stale_message(post):
    """Who saved the post after this editor opened it, and when."""
    last = post.revisions.saves().select_related("saved_by").first()
    who = f" ({last.saved_by})" if last and last.saved_by else ""
    saved_at = formats.date_format(timezone.localtime(post.updated), "DATETIME_FORMAT")
    return forms.ValidationError(
        "Someone else saved this post%(who)s at %(when)s, after you opened it. Nothing was "
        "overwritten. Below, each field that differs shows their version and yours: choose "
        "per field, then save again.",
        params={"who": who, "when": saved_at},
        code="stale",
    )


class LoadedRowField(forms.ModelChoiceField):
    """The hidden id of an inline form, cleaned from the rows its formset already loaded
    (Django's field asks the database once a row: 360 queries for a 360-quote digest)."""

    def __init__(self, formset, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formset = formset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        try:
            row = self.formset._existing_object(self.formset._pk_field.to_python(value))
        except forms.ValidationError:
            row = None
        if row is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return row


class PartFormSet(CustomInlineFormSet):
    """The stats, quotes or items of a digest in the admin, read in one query a kind."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, LoadedRowField):
            form.fields[name] = LoadedRowField(
                self,
                field.queryset,
                initial=field.initial,
                required=False,
                widget=field.widget,
            )
