"""A lead image is resized for its srcset once, when it is saved, never on a page view."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory
from tests.digest.helpers import change_form_data

pytestmark = pytest.mark.django_db


def picture(width, height, kind="JPEG"):
    output = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(output, kind)
    suffix = "jpg" if kind == "JPEG" else kind.lower()
    return SimpleUploadedFile(f"photo.{suffix}", output.getvalue(), f"image/{suffix}")


def upload(client, post, image):
    client.force_login(staff(Role.EDITORS))
    url = reverse("admin:digest_post_change", args=[post.pk])
    response = client.post(url, {**change_form_data(post), "lead_image": image})
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    post.refresh_from_db()
    return post


def srcset_of(client, url):
    html = client.get(url).content.decode()
    found = re.search(r'<figure class="lead-image">\s*<img ([^>]*)>', html)
    assert found, "the page shows no lead image"
    srcset = re.search(r'srcset="([^"]*)"', found.group(1))
    return srcset.group(1) if srcset else ""


def test_an_uploaded_photo_gets_smaller_copies_listed_in_its_srcset(client):
    post = upload(client, PostFactory(), picture(1500, 1000))

    sizes = post.lead_image_renditions["sizes"]
    assert [(s["width"], s["height"]) for s in sizes] == [(480, 320), (800, 533), (1200, 800)]
    for size in sizes:
        with Image.open(Path(settings.MEDIA_ROOT) / size["name"]) as copy:
            assert copy.format == "JPEG"
            assert copy.size == (size["width"], size["height"])

    expected = [f"/media/{s['name']} {s['width']}w" for s in sizes]
    expected.append(f"{post.lead_image.url} 1500w")
    for url in (post.get_absolute_url(), reverse("digest:post-index")):
        assert srcset_of(client, url).split(", ") == expected


def test_a_small_picture_is_served_as_it_is(client):
    post = upload(client, PostFactory(), picture(400, 300, "PNG"))
    assert post.lead_image_renditions == {"source": post.lead_image.name, "sizes": []}
    assert srcset_of(client, post.get_absolute_url()) == ""


def test_a_replaced_picture_gets_new_copies_and_an_edit_keeps_them(client):
    post = upload(client, PostFactory(), picture(1000, 500))
    first = post.lead_image_renditions
    post = upload(client, post, picture(900, 900, "PNG"))
    second = post.lead_image_renditions
    assert second["source"] == post.lead_image.name != first["source"]
    assert [s["width"] for s in second["sizes"]] == [480, 800]
    assert all(s["name"].endswith(".png") for s in second["sizes"])

    post.title = "Edited, picture untouched"
    post.save()
    post.refresh_from_db()
    assert post.lead_image_renditions == second


def test_page_views_resize_nothing_and_cost_no_extra_query(client):
    with_image = upload(client, PostFactory(), picture(1300, 700))
    without_image = PostFactory()

    def media_files():
        return sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())

    def queries_of(post):
        cache.clear()  # both pages built from scratch: sidebar, counts and all
        with CaptureQueriesContext(connection) as queries:
            assert client.get(post.get_absolute_url()).status_code == 200
        return len(queries)

    before = media_files()
    assert queries_of(with_image) == queries_of(without_image)
    assert media_files() == before
