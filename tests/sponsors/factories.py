import io
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.models import Role
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import PASSWORD, UserFactory


def next_week(offset=1):
    return this_week() + timedelta(days=7 * offset)


class SponsorUserFactory(UserFactory):
    """A verified account in the Sponsors group (no staff flag, no admin access)."""

    email_verified_at = factory.LazyFunction(timezone.now)
    roles = factory.PostGeneration(
        lambda user, create, extracted, **kw: (
            create and user.groups.add(Group.objects.get(name=Role.SPONSORS))
        )
    )


class SponsorFactory(DjangoModelFactory):
    class Meta:
        model = Sponsor
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Acme Scale {n}")
    website = factory.LazyAttribute(lambda s: f"https://{s.name.lower().replace(' ', '-')}.example")
    description = factory.LazyAttribute(lambda s: f"{s.name} builds **very** scalable things.")

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class ListingFactory(DjangoModelFactory):
    """A listing; `weeks=[date, …]` books it (default: next week)."""

    class Meta:
        model = Listing
        skip_postgeneration_save = True

    sponsor = factory.SubFactory(SponsorFactory)
    section = Listing.Section.PRODUCT
    text = factory.Sequence(lambda n: f"Listing number {n}: our product makes queues fast.")
    link_url = factory.Sequence(lambda n: f"https://example.com/offer/{n}")
    link_label = "Try it free"
    status = Listing.Status.PENDING

    class Params:
        approved = factory.Trait(status=Listing.Status.APPROVED)

    @factory.post_generation
    def weeks(self, create, extracted, **kwargs):
        if not create:
            return
        for week in extracted if extracted is not None else [next_week()]:
            ListingWeek.objects.create(listing=self, week=week)


def seen(rows):
    """The hidden fields the moderation queue sends with an action: the version of each
    listing (or company change) as the editor sees it now."""
    rows = list(rows)
    if not rows:
        return {}
    model = type(rows[0])
    versions = model.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", "version")
    return {f"seen-{pk}": str(version) for pk, version in versions}


def png_bytes(size=(120, 60), color=(200, 30, 30, 255), **save_args):
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, "PNG", **save_args)
    return buffer.getvalue()


def png_upload(name="logo.png", **kwargs):
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def signup_data(**overrides):
    """The sponsor sign-up form, filled in as a new company would."""
    data = {
        "company-name": "Queue Masters",
        "company-website": "https://queue-masters.example",
        "account-display_name": "Ada Lovelace",
        "account-email": "ada@queue-masters.example",
        "account-password1": PASSWORD,
        "account-password2": PASSWORD,
        "account-contact_phone": "",
    }
    return {**data, **overrides}


def listing_data(**overrides):
    """The listing submission form, booked for next week."""
    data = {
        "section": Listing.Section.PRODUCT,
        "text": "Queue Masters makes **queues** fast: a million messages a second.",
        "link_url": "https://queue-masters.example/trial",
        "link_label": "Start your free trial",
        "weeks": [next_week().isoformat()],
        "contact_phone": "",
    }
    return {**data, **overrides}
