"""Sponsor sign-up tells nobody which addresses have accounts (issue 19): an address that has
one gets the same answer as a new one, nothing is created, and the account's owner is e-mailed
instead (the password reset form already behaves this way: tests/security/test_login.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from sponsors.models import Sponsor
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("sponsors:signup")


def sign_up(email, company):
    return Client().post(
        SIGNUP,
        {
            "company-name": company,
            "company-website": "",
            "account-display_name": "Someone",
            "account-email": email,
            "account-password1": PASSWORD,
            "account-password2": PASSWORD,
        },
        follow=True,
    )


def page_text(response):
    text = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)


def test_signing_up_with_a_taken_address_answers_like_a_new_one(mailoutbox):
    owner = UserFactory(email="ada@kestrel.example", display_name="Ada")

    taken = sign_up("ADA@kestrel.example", "Probe One")
    new = sign_up("bob@kestrel.example", "Probe Two")

    assert taken.redirect_chain == new.redirect_chain == [(reverse("sponsors:signup-sent"), 302)]
    assert page_text(taken) == page_text(new)
    assert "exists already" not in page_text(taken)
    assert User.objects.filter(email__iexact="ada@kestrel.example").count() == 1
    assert list(Sponsor.objects.values_list("name", flat=True)) == ["Probe Two"]
    to_owner, to_newcomer = mailoutbox
    assert to_owner.to == ["ada@kestrel.example"]
    assert "You already have an account" in to_owner.subject
    assert "a sponsor account for Probe One" in to_owner.body
    assert reverse("accounts:password_reset") in to_owner.body
    assert to_newcomer.to == ["bob@kestrel.example"]
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # the owner's password is untouched


def test_neither_answer_signs_anyone_in():
    UserFactory(email="ada@kestrel.example")
    client = Client()

    for email, company in (("ada@kestrel.example", "Probe One"), ("bob@x.example", "Probe Two")):
        client.post(
            SIGNUP,
            {
                "company-name": company,
                "company-website": "",
                "account-display_name": "Someone",
                "account-email": email,
                "account-password1": PASSWORD,
                "account-password2": PASSWORD,
            },
        )
        assert "_auth_user_id" not in client.session
