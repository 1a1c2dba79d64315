from django import forms

from digest.link_normal import MAX_URL_LENGTH, normalize_url

PASTE_MAX_CHARS = 100_000


class KeepForm(forms.Form):
    """One link, as the bookmarklet or the share sheet hands it over (the editor may add a
    one-line comment before keeping it)."""

    url = forms.CharField(label="Address", max_length=MAX_URL_LENGTH)
    title = forms.CharField(max_length=300, required=False)
    text = forms.CharField(
        label="Selected text",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comment = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={"autofocus": True, "placeholder": "Why it matters, in a line"}
        ),
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not normalize_url(url):
            raise forms.ValidationError("This is not an http or https address.")
        return url


class PasteForm(forms.Form):
    text = forms.CharField(
        label="Addresses or a whole newsletter",
        max_length=PASTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Every http or https address in the text is kept once.",
    )
    comment = forms.CharField(max_length=300, required=False)


class SendForm(forms.Form):
    """What to do with the chosen links. Each goes into the digest as what its row says
    (`as-<pk>`: items, quotes or stats; the inbox's guess when the row says nothing)."""

    ACTIONS = {
        "add": "Add to this week's digest",
        "archive": "Archive",
        "delete": "Delete",
    }
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    entries = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = queryset


class SuggestForm(forms.Form):
    """A reader's suggestion: an address and why, nothing more."""

    url = forms.CharField(label="Address", max_length=MAX_URL_LENGTH)
    comment = forms.CharField(
        label="Why it is worth reading (optional)",
        max_length=300,
        required=False,
    )

    clean_url = KeepForm.clean_url
