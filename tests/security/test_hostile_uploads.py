"""Hostile files sent to every upload of the site: the avatar (/accounts/profile/), the sponsor
logo (/sponsors/company/<pk>/) and a post's lead image (the admin's change form, as an editor).

Each file is either refused with a sentence that says why (the form comes back, nothing is
saved, no file appears in MEDIA_ROOT) or made harmless (decoded, re-encoded from its pixels and
stored under a name the server made, without the payload it carried); never a 500. The files
that cost the most to look at (bombs, 20 MB, just under the pixel limit) are also opened in a
fresh process each, whose peak memory (ru_maxrss) must grow by less than 300 MB.
"""

import html
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, PngImagePlugin

from accounts.models import Role
from digest.models import LEAD_IMAGE_MAX_BYTES
from safe_images import MAX_PIXELS
from tests.accounts.factories import UserFactory, staff
from tests.digest.factories import digest_with_parts
from tests.digest.helpers import form_fields
from tests.sponsors.factories import SponsorFactory, SponsorUserFactory, png_bytes

pytestmark = pytest.mark.django_db

TRIED = {"files": 0}
PROJECT = Path(settings.BASE_DIR)
MEMORY_BUDGET_KB = 300 * 1024


@pytest.fixture(scope="module", autouse=True)
def _report_files_tried(request):
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nhostile files tried: {TRIED['files']}")


# --- The files ----------------------------------------------------------------------------------

NOT_AN_IMAGE = "is not a JPEG, PNG, WebP or GIF picture (whatever its name says)"
NOT_SVG = "SVG and other formats are not accepted."
DAMAGED = "This picture is damaged or incomplete and cannot be read."
BOMB = "far too many pixels to be opened safely (a “decompression bomb”)"
EMPTY = "The submitted file is empty."
TOO_LARGE = "; the largest allowed is "
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def image_bytes(image, format, **save_args):
    buffer = io.BytesIO()
    image.save(buffer, format, **save_args)
    return buffer.getvalue()


@cache
def noise(size=(200, 200)):
    """Pixels that do not compress away, so a file cut short really misses some."""
    rng = random.Random(6)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


@cache
def twenty_mb_photo():
    """A camera-sized JPEG of random noise: about 20 MB for 5 million pixels."""
    width, height = 2_640, 1_980
    pixels = random.Random(20).randbytes(width * height * 3)
    image = Image.frombytes("RGB", (width, height), pixels)
    return image_bytes(image, "JPEG", quality=100, subsampling=0)


@cache
def bomb_png():
    """20,000 × 20,000 pixels (400 million) in about 50 KB: one bit a pixel, all black."""
    return image_bytes(Image.new("1", (20_000, 20_000)), "PNG")


@cache
def over_the_pixel_limit():
    """6,000 × 5,000: 30 million pixels, over our 12.6 million, under Pillow's own limit."""
    return image_bytes(Image.new("1", (6_000, 5_000)), "PNG")


def with_png_header_size(width, height):
    """A tiny PNG whose header claims `width` × `height` (with a valid checksum)."""
    content = bytearray(image_bytes(Image.new("1", (16, 16)), "PNG"))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    content[16:29] = header
    content[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(content)


def with_jpeg_header_size(width, height):
    """A tiny JPEG whose frame header (SOF0) claims `width` × `height`."""
    content = bytearray(image_bytes(Image.new("RGB", (16, 16)), "JPEG"))
    frame = content.index(b"\xff\xc0")
    content[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(content)


def with_gif_screen_size(width, height):
    content = bytearray(image_bytes(Image.new("P", (10, 10)), "GIF"))
    content[6:10] = struct.pack("<HH", width, height)
    return bytes(content)


def gif_js_polyglot():
    """A GIF that is also JavaScript: its width bytes open a comment, the script follows."""
    gif = image_bytes(Image.new("P", (10, 10)), "GIF")
    return gif[:6] + b"/*" + gif[8:] + b"*/=alert(document.domain);"


def jpeg_with_exif_gps():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.6)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.2)
    return image_bytes(Image.new("RGB", (80, 40), (30, 120, 200)), "JPEG", exif=exif)


def png_with_text(key, text, **options):
    info = PngImagePlugin.PngInfo()
    info.add_text(key, text, **options)
    return image_bytes(Image.new("RGB", (24, 24), (10, 200, 10)), "PNG", pnginfo=info)


def animated_gif():
    frames = [Image.new("P", (16, 16), colour) for colour in (1, 2, 3)]
    return image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    b'onload="alert(1)"><script>alert(document.domain)</script></svg>'
)
POSTSCRIPT = b"\n%!PS\n(%pipe%id > /tmp/pwned) (w) file\n"


@dataclass(frozen=True)
class Hostile:
    content: object  # () -> bytes
    refusal: str | None  # the sentence shown; None: accepted and made harmless
    name: str = "picture.png"
    payload: tuple = ()  # bytes that must not survive into the stored file
    content_type: str = "image/png"


HOSTILE = {
    "html-renamed-png": Hostile(lambda: SCRIPT, NOT_AN_IMAGE),
    "empty": Hostile(lambda: b"", EMPTY),
    "truncated-png": Hostile(lambda: image_bytes(noise(), "PNG")[:20_000], DAMAGED),
    "truncated-jpeg": Hostile(
        lambda: image_bytes(noise(), "JPEG")[:6_000], DAMAGED, "photo.jpg", (), "image/jpeg"
    ),
    "png-signature-only": Hostile(lambda: image_bytes(noise(), "PNG")[:40], NOT_AN_IMAGE),
    "polyglot-png-html": Hostile(
        lambda: png_bytes(size=(30, 30)) + SCRIPT, None, payload=(b"<script", b"alert(")
    ),
    "polyglot-gif-js": Hostile(
        gif_js_polyglot, None, "logo.gif", (b"alert(document.domain)",), "image/gif"
    ),
    "svg-with-script": Hostile(lambda: SVG, NOT_SVG, "logo.svg", (), "image/svg+xml"),
    "svg-renamed-png": Hostile(lambda: SVG, NOT_AN_IMAGE),
    "eps-postscript": Hostile(
        lambda: image_bytes(Image.new("RGB", (10, 10)), "EPS") + POSTSCRIPT, NOT_AN_IMAGE
    ),
    "pdf": Hostile(lambda: image_bytes(Image.new("RGB", (10, 10)), "PDF"), NOT_AN_IMAGE),
    "tiff-renamed-png": Hostile(
        lambda: image_bytes(Image.new("RGB", (20, 20)), "TIFF"), NOT_AN_IMAGE
    ),
    "bmp-renamed-png": Hostile(
        lambda: image_bytes(Image.new("RGB", (20, 20)), "BMP"), NOT_AN_IMAGE
    ),
    "ico-renamed-png": Hostile(
        lambda: image_bytes(Image.new("RGBA", (32, 32)), "ICO"), NOT_AN_IMAGE
    ),
    "psd-header": Hostile(lambda: b"8BPS\x00\x01" + b"\x00" * 100, NOT_AN_IMAGE),
    "webp-trailing-junk": Hostile(
        lambda: image_bytes(Image.new("RGB", (20, 20), (9, 9, 9)), "WEBP") + SCRIPT,
        None,
        "logo.webp",
        (b"<script",),
        "image/webp",
    ),
    "bomb-20000x20000": Hostile(bomb_png, BOMB),
    "over-the-pixel-limit": Hostile(
        over_the_pixel_limit,
        "This picture is 6,000 × 5,000 pixels; the largest allowed is 12.6 million pixels.",
    ),
    "png-header-bomb": Hostile(lambda: with_png_header_size(100_000, 100_000), BOMB),
    "jpeg-header-bomb": Hostile(
        lambda: with_jpeg_header_size(65_500, 65_500), BOMB, "photo.jpg", (), "image/jpeg"
    ),
    "gif-screen-bomb": Hostile(
        lambda: with_gif_screen_size(65_535, 65_535), BOMB, "logo.gif", (), "image/gif"
    ),
    "png-text-chunk-bomb": Hostile(
        lambda: png_with_text("Comment", "A" * 5_000_000, zip=True), DAMAGED
    ),
    "20-mb-photo": Hostile(twenty_mb_photo, TOO_LARGE, "photo.jpg", (), "image/jpeg"),
    "jpeg-with-exif-gps": Hostile(
        jpeg_with_exif_gps, None, "photo.jpg", (b"Exif", b"SecretCam"), "image/jpeg"
    ),
    "php-in-png-text-chunk": Hostile(
        lambda: png_with_text("Comment", "<?php system($_GET['c']); ?>"),
        None,
        payload=(b"<?php", b"tEXt"),
    ),
    "animated-gif": Hostile(animated_gif, None, "anim.gif", (), "image/gif"),
    "name-path-traversal": Hostile(png_bytes, None, "../../etc/passwd.png"),
    "name-windows-traversal": Hostile(png_bytes, None, "..\\..\\windows\\win.ini.png"),
    "name-right-to-left-override": Hostile(png_bytes, None, "gpj.\u202eexe.png"),
    "name-rlo-exe": Hostile(png_bytes, None, "invoice\u202egnp.exe"),
    "name-nul-byte": Hostile(png_bytes, None, "avatar.png\x00.php"),
    "name-very-long": Hostile(png_bytes, None, "a" * 1_000 + ".png"),
    "name-with-html": Hostile(png_bytes, None, '"><img src=x onerror=alert(1)>.png'),
    "name-with-html-and-bad-content": Hostile(
        lambda: b"not a picture", NOT_AN_IMAGE, '"><img src=x onerror=alert(1)>.png'
    ),
    "name-double-extension": Hostile(png_bytes, None, "shell.php.png"),
    "name-php": Hostile(
        lambda: png_bytes() + b"<?php phpinfo(); ?>", None, "shell.php", (b"<?php",)
    ),
}

# Parts of the hostile names that must never reach the disk.
NAME_PARTS = ("passwd", "etc", "win", "exe", "\u202e", "img", "onerror", "php", "shell", "aaaa")


# --- The three uploads --------------------------------------------------------------------------


class Upload:
    """One upload field of the site: sends a file with a change to another field, says what is
    stored. `page` is text of the form page; `stored_pattern` the names the server makes."""

    def __init__(self, client):
        self.client = client

    def stored(self):
        raise NotImplementedError


class AvatarUpload(Upload):
    page = "Your profile"
    stored_pattern = re.compile(r"avatars/[0-9a-f]{32}\.(png|jpg)")

    def __init__(self, client):
        super().__init__(client)
        self.user = UserFactory(display_name="Ada")
        self.user.avatar.save("current.png", ContentFile(png_bytes(size=(40, 40))))
        client.force_login(self.user)

    def send(self, upload):
        return self.client.post(
            reverse("accounts:profile"),
            {"display_name": "Changed", "bio": "", "website": "", "handle": "", "avatar": upload},
        )

    def stored(self):
        self.user.refresh_from_db()
        return self.user.avatar.name, self.user.display_name


class LogoUpload(Upload):
    page = "Company details"
    stored_pattern = re.compile(r"sponsors/[0-9a-f]{32}\.(png|jpg)")

    def __init__(self, client):
        super().__init__(client)
        manager = SponsorUserFactory()
        self.sponsor = SponsorFactory(managers=[manager])
        self.sponsor.logo.save("current.png", ContentFile(png_bytes(size=(90, 30))))
        client.force_login(manager)

    def send(self, upload):
        return self.client.post(
            reverse("sponsors:company", args=[self.sponsor.pk]),
            {
                "name": "Changed",
                "website": self.sponsor.website,
                "description": self.sponsor.description,
                "logo": upload,
            },
        )

    def stored(self):
        self.sponsor.refresh_from_db()
        return self.sponsor.logo.name, self.sponsor.name


class LeadImageUpload(Upload):
    """A digest (with its stats, quotes and items inlines) edited by an editor in the admin:
    every field of the change form is sent back as a browser would, plus the file."""

    page = "Change post"
    stored_pattern = re.compile(r"posts/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg)")

    def __init__(self, client):
        super().__init__(client)
        self.post = digest_with_parts(
            stats=[("1M", "requests per second")],
            quotes=[("@antirez", "Simplicity scales.", True)],
            items=[("An item about queues.", True)],
        )
        self.post.lead_image.save("current.png", ContentFile(png_bytes(size=(64, 32))))
        self.post.refresh_from_db()
        client.force_login(staff(Role.EDITORS))
        self.url = reverse("admin:digest_post_change", args=[self.post.pk])

    def send(self, upload):
        fields = form_fields(self.client.get(self.url))
        assert "loaded_version" in fields and "quotes-TOTAL_FORMS" in fields
        return self.client.post(self.url, {**fields, "title": "Changed", "lead_image": upload})

    def stored(self):
        self.post.refresh_from_db()
        return self.post.lead_image.name, self.post.title


UPLOADS = {"avatar": AvatarUpload, "sponsor-logo": LogoUpload, "lead-image": LeadImageUpload}


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


# --- Every hostile file in every upload ---------------------------------------------------------


@pytest.mark.parametrize("field", UPLOADS)
@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_is_refused_with_a_message_or_made_harmless(client, case, field):
    hostile = HOSTILE[case]
    target = UPLOADS[field](client)
    before_name, before_other = target.stored()
    files_before = media_files()
    sent = hostile.content()

    TRIED["files"] += 1
    response = target.send(SimpleUploadedFile(hostile.name, sent, hostile.content_type))

    if response.status_code == 413:  # refused before any form read it (hardening)
        assert hostile.refusal, "a harmless file was refused for its size"
        assert len(sent) > 2 * 1024 * 1024
        assert "more than this page accepts" in response.content.decode()
        assert target.stored() == (before_name, before_other), "nothing may be saved"
        assert media_files() == files_before
        return
    assert response.status_code in (200, 302), response.status_code
    stored_name, other = target.stored()
    if hostile.refusal:
        assert response.status_code == 200, "a refused file must bring the form back"
        page = html.unescape(response.content.decode())
        assert hostile.refusal in page
        assert target.page in page
        assert "<img src=x onerror" not in response.content.decode()
        assert (stored_name, other) == (before_name, before_other), "nothing may be saved"
        assert media_files() == files_before
        return

    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    assert other == "Changed"
    assert stored_name != before_name
    assert target.stored_pattern.fullmatch(stored_name), stored_name
    # The picture, and for a wide lead image its smaller copies (made from its pixels too).
    new_files = media_files() - files_before
    stem = stored_name.rpartition(".")[0]
    assert stored_name in new_files
    assert all(name == stored_name or name.startswith(f"{stem}-") for name in new_files)
    for name in new_files:
        stored_path = (Path(settings.MEDIA_ROOT) / name).resolve()
        assert stored_path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        # Outside the server's random hex stem, which may hold "aaaa" by chance (1 in ~2,000).
        client_part = re.sub(r"[0-9a-f]{32}", "", name.lower())
        assert not any(part in client_part for part in NAME_PARTS), name
        stored = stored_path.read_bytes()
        for payload in (*hostile.payload, b"<script", b"<?php", b"alert(", b"Exif"):
            assert payload not in stored, payload
        with Image.open(stored_path, formats=["PNG", "JPEG"]) as image:
            image.load()
            assert image.format in ("PNG", "JPEG")
            assert not image.getexif()
            assert not {"exif", "icc_profile", "comment", "Comment"} & set(image.info)


def test_a_traversal_name_writes_nothing_outside_the_media_folder(client):
    media = Path(settings.MEDIA_ROOT).resolve()
    targets = [folder / "passwd-scalepress.png" for folder in list(media.parents)[:3]]
    targets.append(media / "passwd-scalepress.png")
    assert not any(target.exists() for target in targets)

    for field, upload in UPLOADS.items():
        TRIED["files"] += 1
        name = "../../../passwd-scalepress.png"
        response = upload(client).send(SimpleUploadedFile(name, png_bytes(), "image/png"))
        assert response.status_code == 302, field

    assert not any(target.exists() for target in targets)
    assert not any("passwd" in name for name in media_files())


# --- Memory: the expensive files, each in a fresh process ---------------------------------------

# Runs in a new interpreter in the project folder: Django set up, then clean_image on one file.
# The peak is read as VmHWM (the high-water mark of this process's own memory since exec): on
# Linux ru_maxrss survives exec, so a child of a big test runner would start at the runner's
# peak and hide the growth. ru_maxrss is kept as the fallback elsewhere.
MEASURE = """
import json, os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files import File
from safe_images import clean_image

def peak_kb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

path, max_bytes = sys.argv[1], int(sys.argv[2])
before = peak_kb()
with open(path, "rb") as handle:
    try:
        clean_image(File(handle, name="upload"), max_bytes=max_bytes, fit=(2400, 2400))
        outcome = "accepted"
    except ValidationError as error:
        outcome = error.code
after = peak_kb()
print(json.dumps({"outcome": outcome, "growth_kb": after - before, "peak_kb": after}))
"""

LARGEST_LIMIT = 10**9  # no byte limit: the decoding itself is measured


def largest_rgba(format):
    """Exactly the pixel limit (4,000 × MAX_PIXELS/4,000), four bytes a pixel, a few KB."""
    size = (4_000, MAX_PIXELS // 4_000)
    return image_bytes(Image.new("RGBA", size, (1, 2, 3, 4)), format, lossless=True)


MEMORY_CASES = {
    "bomb-20000x20000": (bomb_png, LEAD_IMAGE_MAX_BYTES, "bomb"),
    "over-the-pixel-limit": (over_the_pixel_limit, LEAD_IMAGE_MAX_BYTES, "too_many_pixels"),
    "20-mb-photo-refused-by-size": (twenty_mb_photo, LEAD_IMAGE_MAX_BYTES, "too_large"),
    "20-mb-photo-decoded": (twenty_mb_photo, LARGEST_LIMIT, "accepted"),
    "largest-rgba-png": (lambda: largest_rgba("PNG"), LEAD_IMAGE_MAX_BYTES, "accepted"),
}


def measure(tmp_path, content, max_bytes):
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", MEASURE, str(path), str(max_bytes)],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    TRIED["files"] += 1
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", MEMORY_CASES)
def test_an_expensive_file_keeps_the_worker_under_300_mb(tmp_path, case):
    make, max_bytes, outcome = MEMORY_CASES[case]

    measured = measure(tmp_path, make(), max_bytes)

    assert measured["outcome"] == outcome
    assert measured["growth_kb"] < MEMORY_BUDGET_KB, f"{measured['growth_kb'] // 1024} MB"


def test_the_largest_accepted_webp_keeps_the_worker_under_300_mb(tmp_path):
    measured = measure(tmp_path, largest_rgba("WEBP"), LEAD_IMAGE_MAX_BYTES)

    assert measured["outcome"] == "accepted"
    assert measured["growth_kb"] < MEMORY_BUDGET_KB, f"{measured['growth_kb'] // 1024} MB"
