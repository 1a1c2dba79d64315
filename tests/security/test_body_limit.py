"""Request bodies are refused before any work starts (issue 19): a body larger than the view it
is sent to can use is answered 413 by its Content-Length before a byte of it is read, and a
body without one (chunked) is read only up to the limit. Nothing else runs first: no session,
no CSRF check, no form parsing. The limits follow the largest legitimate upload of each page.

Checked through the test client and through a real gunicorn, which is what de-chunks bodies.
"""

import contextlib
import io
import random
import socket

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import resolve, reverse
from PIL import Image

from accounts.forms import AVATAR_MAX_BYTES
from digest.models.post import LEAD_IMAGE_MAX_BYTES
from hardening.middleware import body_limit
from sponsors.models import LOGO_MAX_BYTES
from tests.servers import AppServer, collect_static
from tests.sponsors.factories import SponsorFactory, SponsorUserFactory, png_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
LOGIN = reverse("accounts:login")


class CountingStream:
    """A request body that says how much of it the server read: `size` bytes of form data,
    produced on demand (nothing of it is held in memory)."""

    def __init__(self, size):
        self.size, self.read_bytes = size, 0

    def read(self, size=-1):
        left = self.size - self.read_bytes
        size = left if size is None or size < 0 else min(size, left)
        self.read_bytes += size
        return b"a" * size

    def readline(self, size=-1):
        return self.read(size)


def test_a_400_mb_post_to_the_login_page_is_refused_before_a_byte_is_read(client):
    body = CountingStream(400 * MB)

    response = client.post(
        LOGIN,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert "more than this page accepts" in response.content.decode()
    assert body.read_bytes == 0
    assert not Session.objects.exists()


def test_a_body_without_a_length_is_read_only_up_to_the_limit(client):
    body = CountingStream(50 * MB)

    response = client.post(
        LOGIN,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        **{"wsgi.input": body, "wsgi.input_terminated": True},
    )

    assert response.status_code == 413
    assert body.read_bytes <= settings.REQUEST_BODY_MAX_BYTES + 1


def test_a_short_body_without_a_length_still_reaches_the_form(client):
    """The counted body is handed on: a chunked login is read like any other."""
    payload = b"username=nobody&password=wrong"

    response = client.post(
        LOGIN,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        **{"wsgi.input": io.BytesIO(payload), "wsgi.input_terminated": True},
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def noisy_png(pixels):
    """A real PNG that does not compress: about 3 bytes per pixel."""
    rng = random.Random(19)
    image = Image.frombytes("RGB", (pixels, pixels), rng.randbytes(pixels * pixels * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def manager_client(client):
    manager = SponsorUserFactory()
    sponsor = SponsorFactory(managers=[manager], logo=None)
    client.force_login(manager)
    return client, sponsor


def test_a_logo_far_over_its_limit_is_refused_before_the_form_reads_it(manager_client):
    client, sponsor = manager_client
    huge = png_bytes(size=(10, 10)) + b"\0" * (8 * MB)

    response = client.post(
        reverse("sponsors:company", args=[sponsor.pk]),
        {"name": sponsor.name, "website": "", "logo": io.BytesIO(huge)},
    )

    assert response.status_code == 413
    sponsor.refresh_from_db()
    assert not sponsor.logo


def test_a_logo_just_under_its_limit_is_accepted(manager_client):
    client, sponsor = manager_client
    picture = noisy_png(780)
    assert 1.5 * MB < len(picture) < LOGO_MAX_BYTES
    upload = io.BytesIO(picture)
    upload.name = "big-logo.png"

    response = client.post(
        reverse("sponsors:company", args=[sponsor.pk]),
        {"name": sponsor.name, "website": "", "logo": upload},
    )

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.logo


def test_each_limit_takes_the_largest_legitimate_upload_of_its_page(rf):
    def limit(path):
        return body_limit(rf.post(path))

    sponsor = SponsorFactory()
    assert limit(reverse("sponsors:company", args=[sponsor.pk])) >= LOGO_MAX_BYTES + 64 * 1024
    assert limit(reverse("accounts:profile")) >= AVATAR_MAX_BYTES + 64 * 1024
    assert limit(reverse("admin:digest_post_add")) >= (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE + LEAD_IMAGE_MAX_BYTES
    )
    # Pages without a file field take what a text form needs, and no more.
    for path in (LOGIN, reverse("sponsors:signup"), reverse("sponsors:submit")):
        assert resolve(path)
        assert limit(path) == settings.REQUEST_BODY_MAX_BYTES <= 256 * 1024


# --- Through a real server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    collect_static()
    app = AppServer.on_sqlite(tmp_path_factory.mktemp("body-limit")).start()
    yield app
    app.stop()


def raw_request(server, head):
    """Send `head` (request line and headers) and return the status line of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(head.encode())
        return connection.makefile("rb").readline().decode()


def test_a_real_server_answers_a_huge_declared_body_without_waiting_for_it(server):
    status = raw_request(
        server,
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {400 * MB}\r\n\r\n",
    )

    # Had the server waited for the 400 MB it was promised, this would time out instead.
    assert status.startswith("HTTP/1.1 413"), status


def test_a_real_server_stops_reading_a_chunked_body_at_the_limit(server):
    chunk = b"a" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        answer = b""
        connection.settimeout(0.05)
        try:
            while sent < 64 * MB and not answer:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                with contextlib.suppress(TimeoutError):
                    answer = connection.recv(65536)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        connection.settimeout(30)
        with contextlib.suppress(ConnectionResetError, TimeoutError):
            answer += connection.recv(65536)

    assert answer.startswith(b"HTTP/1.1 413"), (answer[:200], sent)
    # Refused long before 64 MB arrived: what was sent at most fills the limit and the two
    # machines' socket buffers.
    assert sent < settings.REQUEST_BODY_MAX_BYTES + 16 * MB, sent


def test_a_real_server_still_takes_an_ordinary_form(server):
    status = raw_request(
        server,
        "GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )

    assert status.startswith("HTTP/1.1 200"), status
