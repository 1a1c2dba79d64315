"""Uploads and the disk: a file is kept only if a row names it, and a full disk is a message
on the form with nothing saved."""

import io
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from digest.models import Post
from safe_images.pending import STORAGE_FAILED
from sponsors.models import Sponsor
from tests.sponsors.factories import SponsorFactory, SponsorUserFactory, png_upload


def files_in(folder):
    root = Path(default_storage.location) / folder
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def sponsor_client(client, db):
    user = SponsorUserFactory()
    sponsor = SponsorFactory(managers=[user])
    client.force_login(user)
    return client, sponsor


def company_form(sponsor, **changes):
    data = {"name": sponsor.name, "website": sponsor.website, "description": ""}
    return {**data, **changes}


def test_a_form_refused_for_another_field_keeps_no_uploaded_file(sponsor_client):
    client, sponsor = sponsor_client
    before = files_in("sponsors")

    response = client.post(
        reverse("sponsors:company", args=[sponsor.pk]),
        company_form(sponsor, website="javascript:alert(1)", logo=png_upload()),
    )

    assert response.status_code == 200
    assert files_in("sponsors") == before


def test_replaced_and_cleared_logos_are_swept_once_nothing_names_them(sponsor_client):
    client, sponsor = sponsor_client
    url = reverse("sponsors:company", args=[sponsor.pk])
    before = files_in("sponsors")
    client.post(url, company_form(sponsor, logo=png_upload()))
    first = Sponsor.objects.get(pk=sponsor.pk).logo.name

    client.post(url, company_form(sponsor, logo=png_upload(size=(90, 30))))
    second = Sponsor.objects.get(pk=sponsor.pk).logo.name
    assert {Path(first).name, Path(second).name} <= files_in("sponsors") - before
    # (other tests' leftovers in the same folder are swept too: no row names them either)
    call_command("sweep_media", "--older-than", "0", stdout=io.StringIO())
    assert Path(second).name in files_in("sponsors")
    assert Path(first).name not in files_in("sponsors")

    client.post(url, company_form(sponsor, **{"logo-clear": "on"}))
    assert not Sponsor.objects.get(pk=sponsor.pk).logo
    call_command("sweep_media", "--older-than", "0", stdout=io.StringIO())
    assert Path(second).name not in files_in("sponsors")


def test_a_revision_keeps_the_lead_image_it_names(editor_client, settings):
    from digest.models import Revision
    from tests.digest.factories import PostFactory

    post = PostFactory(title="Pictured")
    url = reverse("admin:digest_post_change", args=[post.pk])
    fields = {
        "title": post.title,
        "slug": post.slug,
        "kind": post.kind,
        "status": post.status,
        "publish_at_0": post.publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": post.publish_at.strftime("%H:%M:%S"),
        "author": post.author_id,
        "excerpt": post.excerpt,
        "body": post.body,
    }
    editor_client.post(url, {**fields, "loaded_version": 0, "lead_image": png_upload("a.png")})
    first = Post.objects.get(pk=post.pk).lead_image.name
    editor_client.post(url, {**fields, "loaded_version": 1, "lead_image": png_upload("b.png")})
    call_command("sweep_media", "--older-than", "0", stdout=io.StringIO())

    assert default_storage.exists(first)  # the first revision still names it
    Revision.objects.filter(post=post).order_by("pk").first().restore(editor_client.editor)
    assert Post.objects.get(pk=post.pk).lead_image.name == first


def test_sweep_media_deletes_only_old_files_no_row_names(sponsor_client):
    client, sponsor = sponsor_client
    client.post(
        reverse("sponsors:company", args=[sponsor.pk]), company_form(sponsor, logo=png_upload())
    )
    kept = Sponsor.objects.get(pk=sponsor.pk).logo.name
    old_orphan = default_storage.save("sponsors/left-by-a-killed-worker.png", io.BytesIO(b"x"))
    new_orphan = default_storage.save("sponsors/being-uploaded-now.png", io.BytesIO(b"x"))
    hour_ago = time.time() - 3700
    os.utime(default_storage.path(old_orphan), (hour_ago, hour_ago))
    os.utime(default_storage.path(kept), (hour_ago, hour_ago))

    out = io.StringIO()
    call_command("sweep_media", stdout=out)

    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(new_orphan)  # younger than an hour: maybe in flight
    assert default_storage.exists(kept)
    assert f"deleted {old_orphan}" in out.getvalue()


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT on a tiny tmpfs, filled up."""
    mount = tmp_path / "media"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 1024):
                pass
        except OSError:  # ENOSPC: the disk is full
            pass
        finally:
            os.close(filler)
        settings.MEDIA_ROOT = str(mount)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_a_message_on_the_form_and_nothing_is_saved(
    sponsor_client, full_disk, editor_client
):
    client, sponsor = sponsor_client
    response = client.post(
        reverse("sponsors:company", args=[sponsor.pk]),
        company_form(sponsor, description="New words", logo=png_upload()),
    )
    assert response.status_code == 200
    assert STORAGE_FAILED in response.content.decode()
    sponsor.refresh_from_db()
    assert (sponsor.logo.name, sponsor.description) == ("", sponsor.description)
    assert sponsor.description != "New words"

    response = editor_client.post(
        reverse("admin:digest_post_add"),
        {
            "title": "A post with a picture on a full disk",
            "slug": "",
            "kind": "article",
            "status": "published",
            "publish_at_0": "2026-01-02",
            "publish_at_1": "09:00:00",
            "author": editor_client.editor.pk,
            "excerpt": "Words.",
            "lead_image": png_upload("lead.png"),
        },
    )
    assert response.status_code == 200
    assert STORAGE_FAILED in response.content.decode()
    assert not Post.objects.exists()


@pytest.fixture
def editor_client(db):
    from django.test import Client

    from accounts.models import Role
    from tests.accounts.factories import staff

    editor = staff(Role.EDITORS)
    client = Client()
    client.force_login(editor)
    client.editor = editor
    return client
