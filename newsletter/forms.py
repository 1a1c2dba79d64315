from django import forms

from .models import Subscriber, normalise_email


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your e-mail address")
    # A field people never see (hidden by CSS, skipped by keyboard and screen readers):
    # robots that fill every field are answered as if subscribed, and nothing happens.
    website = forms.CharField(required=False, max_length=200)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    @property
    def is_robot(self):
        return bool(self.cleaned_data.get("website"))


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Subscriber
        fields = ["wants_digests", "wants_articles"]
        labels = {
            "wants_digests": "The weekly digest (Stuff The Internet Says On Scalability)",
            "wants_articles": "New articles and guest posts",
        }
