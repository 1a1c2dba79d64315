from adminsortable2.admin import CustomInlineFormSet
from django import forms
from django.contrib.admin.widgets import AdminFileWidget, AdminTextInputWidget
from django.utils import timezone

from safe_images import FORMAT_NAMES
from safe_images.pending import accept_upload

from .models import LEAD_IMAGE_MAX_BYTES, Post
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
        self.pasted, self.paste_notes = {}, {}

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

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is None:
            raise forms.ValidationError(
                "This form does not say which version of the post it was opened on, so it "
                "cannot be saved safely. Reload the page and make your changes again."
            )
        # The post in hand was read for this request; a save that lands after this check is
        # refused by the write itself (Post.save).
        if self.instance.pk and self.instance.version != loaded:
            saved_at = timezone.localtime(self.instance.updated).strftime("%H:%M")
            raise forms.ValidationError(
                f"Someone else saved this post at {saved_at}, after you opened it. "
                "Nothing was overwritten. Copy your changes, reload the page to see "
                "their version, and apply your changes again."
            )
        return cleaned

    def _get_validation_exclusions(self):
        # The author's field has just read the account among those allowed; the model's own
        # check would read it again.
        return {*super()._get_validation_exclusions(), "author"}


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
