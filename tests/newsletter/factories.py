import factory
from factory.django import DjangoModelFactory

from newsletter.models import Subscriber


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.net")
    status = Subscriber.Status.CONFIRMED
    consent = Subscriber.Consent.FORM
