"""Workers killed with SIGKILL in the middle of admin saves with uploads: every save is all
or nothing (the post and its quotes in one transaction), a stored post never names a missing
file, and the files a killed worker left behind are swept (no orphans)."""

import io
import os
import random
import re
import signal
import threading
import uuid
from http.client import HTTPException
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from digest.models import Post
from tests.accounts.factories import PASSWORD, UserFactory
from tests.digest.factories import PostFactory, QuoteFactory
from tests.digest.helpers import AdminForm

MAX_ROUNDS = 40


class Browser:
    """Just enough of a browser for the admin: cookies, CSRF, forms, multipart uploads."""

    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=15) as response:
            return response.read().decode()

    def post(self, path, fields, files=None):
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = Request(self.base + path, data=body, headers={"Content-Type": content_type})
        with self.opener.open(request, timeout=15) as response:
            return response.status, response.read().decode()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def png(round_number):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (round_number % 256, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def admin_fields(html):
    form = AdminForm()
    form.feed(html)
    return form.fields


def media_files(folder):
    root = Path(settings.MEDIA_ROOT) / folder
    return {
        str(path.relative_to(settings.MEDIA_ROOT)) for path in root.rglob("*") if path.is_file()
    }


def test_killed_workers_leave_each_post_whole_and_no_orphan_files(app_server):
    editor = UserFactory(is_staff=True, username="night-editor")
    # The app server checks passwords with the production hashers, not the tests' fast one.
    editor.password = PBKDF2PasswordHasher().encode(PASSWORD, "faultsalt")
    editor.save(update_fields=["password"])
    editor.groups.add(Group.objects.get(name=Role.EDITORS))
    post = PostFactory(kind=Post.Kind.DIGEST, title="Round 0")
    for i in range(4):
        QuoteFactory(post=post, text=f"Round 0 quote {i}")
    server = app_server(workers=2)
    browser = Browser(server.url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get("/admin/login/"))
    browser.post(
        "/admin/login/",
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": editor.username,
            "password": PASSWORD,
            "next": "/admin/",
        },
    )
    change = reverse("admin:digest_post_change", args=[post.pk])
    before = media_files("posts")

    stop, killing, kills = threading.Event(), threading.Event(), []

    def killer():
        while not stop.wait(random.uniform(0.05, 0.35)):  # noqa: S311 -- test timing
            if not killing.is_set():
                continue
            try:
                victim = random.choice(server.worker_pids())  # noqa: S311
                os.kill(victim, signal.SIGKILL)
                kills.append(victim)
            except (IndexError, ProcessLookupError, FileNotFoundError):
                pass

    thread = threading.Thread(target=killer)
    thread.start()
    saved, failed, round_number, errors = 0, 0, 0, []
    try:
        # Saves with workers being killed, and between them calm saves, until both kinds
        # have happened: on a slow machine as on a fast one, whatever a save takes.
        while round_number < MAX_ROUNDS and not (saved >= 2 and failed >= 1):
            round_number += 1
            if round_number % 2:
                killing.set()
            else:
                killing.clear()
            try:
                fields = admin_fields(browser.get(change))
                fields["title"] = f"Round {round_number}"
                for i in range(4):
                    fields[f"quotes-{i}-text"] = f"Round {round_number} quote {i}"
                status, _ = browser.post(
                    change,
                    fields,
                    files={"lead_image": (f"r{round_number}.png", png(round_number))},
                )
                saved += status == 200
            except (OSError, HTTPException) as error:
                failed += 1  # the worker serving it was killed: the save is lost, or made
                errors.append(repr(error))
    finally:
        stop.set()
        thread.join()
    print(
        f"\n{round_number} saves tried, {saved} went through, {len(kills)} workers killed, "
        f"{failed} cut off"
    )
    assert kills and failed, "the test killed nothing mid-request; it proves nothing"
    assert saved, f"no save went through: {errors[:3]}"

    post.refresh_from_db()
    title_round = re.fullmatch(r"Round (\d+)", post.title).group(1)
    quotes = sorted(post.quotes.values_list("text", flat=True))
    assert quotes == [f"Round {title_round} quote {i}" for i in range(4)], "a half save"
    if post.lead_image:
        assert post.lead_image.storage.exists(post.lead_image.name), "names a missing file"

    # Files written by workers killed before their commit: swept, and only those.
    out = io.StringIO()
    call_command("sweep_media", "--older-than", "0", stdout=out)
    print(out.getvalue().splitlines()[-1])
    # What is left is exactly what the post and its revisions name (a restore brings an
    # older picture back), and each of those files is there.
    named = {post.lead_image.name} | {r.data.get("lead_image") for r in post.revisions.all()}
    named.discard("")
    named.discard(None)
    assert media_files("posts") - before == named
