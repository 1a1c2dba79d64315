"""The parts of every page kept once per content version ({% sitewide %} in base.html): the
same for every reader, and never holding what belongs to one of them."""

from django.test import Client
from django.urls import reverse

from digest.models import SiteSettings


def test_the_kept_header_carries_no_readers_account(client, editor):
    index = reverse("digest:post-index")
    anonymous = client.get(index).content.decode()
    staff = Client()
    staff.force_login(editor)

    signed_in = staff.get(index).content.decode()
    again = client.get(index).content.decode()

    assert "Log out" in signed_in and reverse("admin:index") in signed_in
    assert editor.name in signed_in
    for page in (anonymous, again):
        assert "Log out" not in page and reverse("admin:index") not in page
    assert f'href="{reverse("digest:archive")}">Archive</a>' in again


def test_a_new_site_name_reaches_header_head_and_footer_at_once(client, db):
    client.get(reverse("digest:post-index"))
    site = SiteSettings.load()
    site.site_name = "Scale Weekly"
    site.save()

    page = client.get(reverse("digest:quote-list")).content.decode()

    assert 'title="Scale Weekly (RSS)"' in page
    assert 'class="site-name" href="/">Scale Weekly</a>' in page
    assert "© Scale Weekly" in page
