"""The comment form and its robot traps.

The time trap is a signed timestamp the reader's browser fetches when the form is first used
(comments.views.form_token): a form sent sooner than TRAP_MIN_SECONDS after it, or with the
honeypot field filled, is a robot's. Robots are answered as if their comment were held, and
nothing is written.
"""

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone

from .models import BODY_MAX_CHARS, Comment

TRAP_SALT = "comments.form-trap"
TRAP_MAX_AGE = 24 * 3600


def trap_token(now=None):
    return signing.dumps(int((now or timezone.now()).timestamp()), salt=TRAP_SALT)


def trap_age(token, now=None):
    """Seconds since the token was made; None when it is not ours or too old."""
    try:
        issued = signing.loads(token, salt=TRAP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(issued, int):
        return None
    age = (now or timezone.now()).timestamp() - issued
    return age if age <= TRAP_MAX_AGE else None


class CommentForm(forms.Form):
    name = forms.CharField(max_length=80)
    email = forms.EmailField(max_length=254)
    website = forms.URLField(max_length=200, required=False, assume_scheme="https")
    body = forms.CharField(max_length=BODY_MAX_CHARS, widget=forms.Textarea)
    parent = forms.IntegerField(required=False, min_value=1)
    notify = forms.BooleanField(required=False)
    trap = forms.CharField(max_length=200)
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling robots.
    homepage = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, user=None, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        if user is not None and user.is_authenticated:
            # A signed-in reader writes as themselves.
            self.fields["name"].required = self.fields["email"].required = False
            self.user = user
        else:
            self.user = None

    def clean_trap(self):
        age = trap_age(self.cleaned_data["trap"], self.now)
        if age is None:
            raise forms.ValidationError("This form has expired: reload the page and try again.")
        return age

    def clean_website(self):
        website = self.cleaned_data["website"]
        if website and not website.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Give a web address starting with http:// or https://.")
        return website

    @property
    def is_robot(self):
        age = self.cleaned_data.get("trap")
        return bool(self.cleaned_data.get("homepage")) or (
            age is not None and age < settings.COMMENTS_TRAP_MIN_SECONDS
        )

    def identity(self):
        if self.user is not None:
            return {
                "name": getattr(self.user, "name", "") or self.user.get_username(),
                "email": self.user.email,
            }
        return {"name": self.cleaned_data["name"], "email": self.cleaned_data["email"]}

    def parent_in(self, post):
        """The visible comment of this post it replies to, or None."""
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        return Comment.objects.visible().filter(post=post, pk=parent_id).first()


class EditForm(forms.Form):
    key = forms.CharField(max_length=100)
    body = forms.CharField(max_length=BODY_MAX_CHARS, required=False, widget=forms.Textarea)
