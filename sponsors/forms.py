from datetime import timedelta

from django import forms
from django.core.validators import URLValidator

from accounts.forms import HoneypotMixin
from safe_images import ACCEPT, FORMAT_NAMES
from safe_images.pending import accept_upload

from .models import (
    LISTING_TEXT_MAX,
    LOGO_FIT,
    LOGO_MAX_BYTES,
    Listing,
    Sponsor,
    SponsorChange,
    this_week,
)

BOOKABLE_WEEKS = 12
WEB_ADDRESS_MESSAGE = "Enter a web address starting with http:// or https://."


class WebAddressField(forms.URLField):
    """A link readers are sent to: http or https only, an address without a scheme taken as
    https, and one message that says so (URLField's own validator would add a second, vaguer
    "Enter a valid URL.")."""

    default_error_messages = {"invalid": WEB_ADDRESS_MESSAGE}
    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_ADDRESS_MESSAGE)]

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


def one_kind_of_line_break(text):
    """`text` with each line break one LF: browsers send a textarea's as CRLF, which would
    count twice against a limit the counter beside the box (static/js/charcount.js) counts
    once."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def bookable_weeks(today_week=None):
    """The Mondays a sponsor may book: from next week on, a quarter ahead."""
    start = (today_week or this_week()) + timedelta(days=7)
    return [start + timedelta(days=7 * i) for i in range(BOOKABLE_WEEKS)]


class LogoMixin(forms.Form):
    """The logo upload of the company page and the admin: checked and re-encoded by
    safe_images, which says exactly what is wrong with a refused file."""

    # A plain file field, not ImageField: its generic "not an image" message is less clear.
    logo = forms.FileField(
        required=False,
        help_text=f"{FORMAT_NAMES}, up to 2 MB; shown at most {LOGO_FIT[0]} × {LOGO_FIT[1]} "
        "pixels. A transparent PNG looks best.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_logo(self):
        return accept_upload(self, "logo", max_bytes=LOGO_MAX_BYTES, fit=LOGO_FIT)


class CompanyFieldsMixin(LogoMixin, forms.ModelForm):
    """The company's public details, whether saved on the sponsor at once or sent for review
    as a change (SponsorChange); a name is a name (sponsors.names) and nobody else's."""

    website = WebAddressField(required=False, max_length=200)

    class Meta:
        fields = ["name", "website", "description", "logo"]
        labels = {"name": "Company name"}
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def sponsor_pk(self):
        return self.instance.pk

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Sponsor.objects.filter(name__iexact=name).exclude(pk=self.sponsor_pk())
        if taken.exists():
            raise forms.ValidationError(
                "A sponsor with this name is registered already. If it is your company, ask "
                "the colleague who manages it, or write to us."
            )
        return name


class CompanyForm(CompanyFieldsMixin):
    """Company details saved at once: the company has no approved listing yet."""

    class Meta(CompanyFieldsMixin.Meta):
        model = Sponsor


class CompanyChangeForm(CompanyFieldsMixin):
    """Company details sent for review: readers see the company next to an approved listing."""

    class Meta(CompanyFieldsMixin.Meta):
        model = SponsorChange

    def sponsor_pk(self):
        return self.instance.sponsor_id


class SignUpCompanyForm(CompanyForm):
    logo = None  # added from the dashboard once the account exists

    class Meta(CompanyForm.Meta):
        fields = ["name", "website"]


class WeeksField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ListingForm(HoneypotMixin, forms.ModelForm):
    # No max_length: its maxlength attribute lets the browser cut a paste short without a
    # word. The server judges the length (clean_text) and says by how much it is over.
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "data-count": LISTING_TEXT_MAX}),
        help_text=f"Up to {LISTING_TEXT_MAX} characters of Markdown: **bold**, *italic* and "
        "[links](https://example.com) work. Say who you are in the first words.",
    )
    link_url = WebAddressField(
        label="Call-to-action link",
        max_length=500,
        help_text="Where readers go when they click; we count each click for you.",
    )
    link_label = forms.CharField(
        label="Call-to-action label",
        max_length=60,
        help_text="A few words, e.g. “Apply now” or “Start your free trial”.",
    )
    weeks = WeeksField(
        label="Weeks to run",
        coerce=forms.DateField().to_python,
        help_text="The sponsored post of each week you tick (weeks start on Monday).",
    )

    class Meta:
        model = Listing
        fields = ["section", "text", "link_url", "link_label"]
        widgets = {"section": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = bookable_weeks()
        booked = self.instance.week_list() if self.instance.pk else []
        # A listing keeps the weeks it has, even ones no longer offered to new bookings.
        choices = sorted(set(offered) | set(booked))
        self.fields["weeks"].choices = [
            (week.isoformat(), f"week of {week:%a %b %-d, %Y}") for week in choices
        ]
        if booked:
            self.initial["weeks"] = [week.isoformat() for week in booked]
        self.fields["section"].choices = Listing.Section.choices

    def clean_text(self):
        text = one_kind_of_line_break(self.cleaned_data["text"])
        if len(text) > LISTING_TEXT_MAX:
            raise forms.ValidationError(
                "The listing text has %(count)s characters; the limit is %(limit)s.",
                code="max_length",
                params={"count": len(text), "limit": LISTING_TEXT_MAX},
            )
        return text

    def save(self, commit=True):
        listing = super().save(commit=commit)
        if commit:
            self.save_weeks(listing)
        return listing

    def save_weeks(self, listing):
        wanted = set(self.cleaned_data["weeks"])
        listing.weeks.exclude(week__in=wanted).delete()
        have = set(listing.weeks.values_list("week", flat=True))
        listing.weeks.bulk_create(
            [listing.weeks.model(listing=listing, week=w) for w in sorted(wanted - have)]
        )


class ReviewNoteForm(forms.Form):
    """The admin's reject action: one note for every selected listing."""

    review_note = forms.CharField(
        label="Note to the sponsor",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Say what to change; it is e-mailed with the decision.",
    )
