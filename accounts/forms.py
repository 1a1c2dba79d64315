from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.text import slugify

from safe_images import ACCEPT, FORMAT_NAMES
from safe_images.pending import accept_upload

from .models import User

AVATAR_MAX_BYTES = 2 * 1024 * 1024


class ProfileForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)
    # A plain file field: safe_images checks it and says exactly what is wrong.
    avatar = forms.FileField(
        required=False,
        help_text=f"{FORMAT_NAMES}, up to 2 MB; stored at most 512 × 512 pixels.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    class Meta:
        model = User
        fields = ["display_name", "bio", "website", "handle", "avatar"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def clean_avatar(self):
        return accept_upload(self, "avatar", max_bytes=AVATAR_MAX_BYTES, fit=(512, 512))


class HoneypotMixin:
    """A field people never see (hidden by CSS, skipped by screen readers and autofill) that
    form-filling robots fill in. A filled honeypot refuses the form with a plain sentence."""

    honeypot_field = "contact_phone"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_field] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(self.honeypot_field):
            raise forms.ValidationError(
                "This form was filled in automatically, so it was not sent. If you are a "
                "person, please leave the field “Leave this field empty” empty.",
                code="honeypot",
            )
        return cleaned


class SignUpForm(HoneypotMixin, UserCreationForm):
    """A new account that signs in with its e-mail address; the username is made from it.

    An address that has an account already is not an error on the form: the page would tell
    anyone which addresses have accounts here. The form is valid all the same and names the
    account in `existing_account`, and the view answers as for a new one (and e-mails that
    account's owner instead of creating anything)."""

    display_name = forms.CharField(label="Your name", max_length=100)
    email = forms.EmailField(label="E-mail address", max_length=254)

    class Meta:
        model = User
        fields = ["display_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "We send a link to this address to confirm it."

    existing_account = None

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        self.existing_account = User.objects.filter(email__iexact=email).first()
        return email

    def _get_validation_exclusions(self):
        # The address's uniqueness is the view's to handle (see the class docstring).
        return {*super()._get_validation_exclusions(), "email"}

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = unique_username(user.email)
        if commit:
            user.save()
        return user


def unique_username(email):
    base = (slugify(email.split("@")[0]) or "user")[:140]
    username, counter = base, 2
    while User.objects.filter(username__iexact=username).exists():
        username = f"{base}-{counter}"
        counter += 1
    return username
