"""Company logos: only real pictures are stored, re-encoded from their pixels under a name the
server makes; everything else is refused with a sentence that says what is wrong."""

import contextlib
import functools
import io
import random
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from safe_images import MAX_PIXELS, clean_image
from sponsors.models import LOGO_MAX_BYTES
from tests.helpers import text
from tests.sponsors.factories import png_bytes, png_upload

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^sponsors/[0-9a-f]{32}\.(png|jpg)$")
NOT_AN_IMAGE = "is not a JPEG, PNG, WebP or GIF picture (whatever its name says)"
DAMAGED = "This picture is damaged or incomplete and cannot be read."
BOMB = "far too many pixels to be opened safely (a “decompression bomb”)"


def stored_logos():
    """The names of the files in MEDIA_ROOT/sponsors/ right now."""
    folder = Path(settings.MEDIA_ROOT) / "sponsors"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def image_bytes(image, format, **save_args):
    buffer = io.BytesIO()
    image.save(buffer, format, **save_args)
    return buffer.getvalue()


def noisy_png(size=(200, 200)):
    """A PNG that does not compress away, so cutting it short leaves its pixels unfinished."""
    rng = random.Random(5)
    pixels = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
    return image_bytes(Image.frombytes("RGB", size, pixels), "PNG")


@functools.cache
def bomb_png():
    """20,000 × 20,000 pixels (400 million) in about 50 KB: one bit a pixel, all black."""
    return image_bytes(Image.new("1", (20_000, 20_000)), "PNG")


def jpeg_with_exif(size=(80, 40), orientation=None, **save_args):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Model] = "Model X-Ray"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.6)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.2)
    image = Image.new("RGB", size, (30, 120, 200))
    return image_bytes(image, "JPEG", exif=exif, **save_args)


def with_damaged_exif(format):
    """A camera picture whose EXIF block is broken: its GPS directory claims 31,745 entries."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Cam"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (1.0, 2.0, 3.0)
    content = bytearray(image_bytes(Image.new("RGB", (64, 32)), format, exif=exif))
    tiff_start = content.index(b"MM\x00*")
    gps_pointer = content.index(b"\x88\x25\x00\x04\x00\x00\x00\x01") + 8
    gps_offset = int.from_bytes(content[gps_pointer : gps_pointer + 4], "big")
    content[tiff_start + gps_offset] = 0x7C
    return bytes(content)


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def company_data(sponsor, **overrides):
    return {
        "name": sponsor.name,
        "website": sponsor.website,
        "description": sponsor.description,
        **overrides,
    }


def post_logo(client, sponsor, logo, **overrides):
    return client.post(
        reverse("sponsors:company", args=[sponsor.pk]),
        company_data(sponsor, logo=logo, **overrides),
    )


@pytest.fixture
def decoded_pixels(monkeypatch):
    """The size in pixels of each picture whose pixels are decoded while the test runs: what
    refusing a picture costs, whatever the speed of the machine."""
    decoded = []
    load = ImageFile.ImageFile.load

    def counting_load(image):
        decoded.append(image.size[0] * image.size[1])
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return decoded


@pytest.fixture
def sponsor_with_logo(sponsor):
    """`sponsor` with a logo already stored, so a refused upload has something to keep."""
    sponsor.logo.save("current.png", ContentFile(png_bytes(size=(90, 30))))
    sponsor.refresh_from_db()
    return sponsor


def read_stored(sponsor):
    with default_storage.open(sponsor.logo.name, "rb") as stored:
        return stored.read()


# --- Accepted pictures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "client_name",
    ["logo.png", "../../evil.php.png", "logo\u202egnp.php", "<script>.png", "LOGO.PNG.exe"],
)
def test_a_png_is_stored_re_encoded_under_a_name_the_server_made(
    sponsor_client, sponsor, client_name
):
    sent = png_bytes(size=(120, 60))
    before = stored_logos()

    response = post_logo(sponsor_client, sponsor, upload(client_name, sent))

    assert response.status_code == 302
    assert response.url == reverse("sponsors:dashboard")
    sponsor.refresh_from_db()
    assert STORED_NAME.match(sponsor.logo.name), sponsor.logo.name
    assert sponsor.logo.name.endswith(".png")
    for part in ("evil", "php", "script", "\u202e", "exe", "logo"):
        assert part not in sponsor.logo.name.lower()
    assert (sponsor.logo_width, sponsor.logo_height) == (120, 60)
    assert stored_logos() - before == {Path(sponsor.logo.name).name}
    with Image.open(io.BytesIO(read_stored(sponsor))) as stored:
        assert stored.format == "PNG"
        assert stored.size == (120, 60)
        assert stored.convert("RGBA").getpixel((10, 10)) == (200, 30, 30, 255)


def test_the_new_logo_shows_on_the_dashboard_with_its_size(sponsor_client, sponsor):
    post_logo(sponsor_client, sponsor, png_upload(size=(120, 60)))
    sponsor.refresh_from_db()

    page = sponsor_client.get(reverse("sponsors:dashboard")).content.decode()

    assert f'src="{sponsor.logo.url}"' in page
    assert 'width="120" height="60"' in page


def test_a_large_logo_is_shrunk_to_fit_keeping_its_proportions(sponsor_client, sponsor):
    post_logo(sponsor_client, sponsor, png_upload(size=(1800, 300)))

    sponsor.refresh_from_db()
    assert (sponsor.logo_width, sponsor.logo_height) == (600, 100)
    with Image.open(io.BytesIO(read_stored(sponsor))) as stored:
        assert stored.size == (600, 100)


def test_replacing_the_logo_leaves_the_old_file_to_the_sweep(
    sponsor_client, sponsor_with_logo, django_capture_on_commit_callbacks
):
    sponsor = sponsor_with_logo
    old_name = sponsor.logo.name
    assert default_storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_logo(sponsor_client, sponsor, png_upload(size=(64, 32)))

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.logo.name != old_name
    assert default_storage.exists(sponsor.logo.name)
    call_command("sweep_media", "--older-than", "0", stdout=io.StringIO())
    assert default_storage.exists(sponsor.logo.name)
    assert not default_storage.exists(old_name)


def test_saving_other_details_keeps_the_logo_and_its_file(
    sponsor_client, sponsor_with_logo, django_capture_on_commit_callbacks
):
    sponsor = sponsor_with_logo
    old_name = sponsor.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(
            reverse("sponsors:company", args=[sponsor.pk]),
            company_data(sponsor, description="Now with **more** queues."),
        )

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.description == "Now with **more** queues."
    assert sponsor.logo.name == old_name
    assert default_storage.exists(old_name)


def test_clearing_the_logo_removes_it_and_its_file(
    sponsor_client, sponsor_with_logo, django_capture_on_commit_callbacks
):
    sponsor = sponsor_with_logo
    old_name = sponsor.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(
            reverse("sponsors:company", args=[sponsor.pk]),
            company_data(sponsor, **{"logo-clear": "on"}),
        )

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert not sponsor.logo
    call_command("sweep_media", "--older-than", "0", stdout=io.StringIO())
    assert not default_storage.exists(old_name)


def test_a_jpeg_is_stored_without_its_exif_and_gps_data(sponsor_client, sponsor):
    sent = jpeg_with_exif()
    assert b"SecretCam" in sent

    response = post_logo(sponsor_client, sponsor, upload("photo.jpg", sent, "image/jpeg"))

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.logo.name.endswith(".jpg")
    assert (sponsor.logo_width, sponsor.logo_height) == (80, 40)
    stored = read_stored(sponsor)
    for secret in (b"Exif", b"SecretCam", b"Model X-Ray"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_a_jpeg_is_turned_the_way_the_camera_meant(sponsor_client, sponsor):
    sent = jpeg_with_exif(size=(80, 40), orientation=6)  # "rotate 90° clockwise to view"

    post_logo(sponsor_client, sponsor, upload("photo.jpg", sent, "image/jpeg"))

    sponsor.refresh_from_db()
    assert (sponsor.logo_width, sponsor.logo_height) == (40, 80)


def test_a_jpeg_is_stored_without_its_comment(sponsor_client, sponsor):
    sent = jpeg_with_exif(comment=b"Shot at 12 Secret Street, Paris")

    response = post_logo(sponsor_client, sponsor, upload("photo.jpg", sent, "image/jpeg"))

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert b"Secret Street" not in read_stored(sponsor)


def test_a_png_is_stored_without_its_text_chunks_and_exif(sponsor_client, sponsor):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Made on the laptop of J. Secret")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    sent = image_bytes(Image.new("RGBA", (50, 50), (1, 2, 3, 255)), "PNG", pnginfo=info, exif=exif)
    assert b"J. Secret" in sent

    post_logo(sponsor_client, sponsor, upload("logo.png", sent))

    sponsor.refresh_from_db()
    stored = read_stored(sponsor)
    assert b"J. Secret" not in stored
    assert b"SecretCam" not in stored
    assert b"tEXt" not in stored
    assert b"eXIf" not in stored


@pytest.mark.parametrize(
    ("name", "format", "mode"),
    [("logo.gif", "GIF", "P"), ("logo.webp", "WEBP", "RGB")],
)
def test_gif_and_webp_are_accepted_and_stored_as_png(sponsor_client, sponsor, name, format, mode):
    sent = image_bytes(Image.new(mode, (40, 20)), format)

    response = post_logo(sponsor_client, sponsor, upload(name, sent, f"image/{format.lower()}"))

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.logo.name.endswith(".png")
    with Image.open(io.BytesIO(read_stored(sponsor))) as stored:
        assert stored.format == "PNG"
        assert stored.size == (40, 20)


def test_a_png_with_html_appended_is_stored_without_it(sponsor_client, sponsor):
    payload = b"<html><script>alert(document.cookie)</script></html>"
    sent = png_bytes(size=(30, 30)) + payload

    response = post_logo(sponsor_client, sponsor, upload("logo.png", sent))

    assert response.status_code == 302
    sponsor.refresh_from_db()
    stored = read_stored(sponsor)
    assert payload not in stored
    assert b"<script" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")


# --- Refused files -------------------------------------------------------------------------------


def over_the_pixel_limit():
    # 30 million pixels: over our limit, under Pillow's own bomb limit.
    return image_bytes(Image.new("1", (6_000, 5_000)), "PNG")


REFUSED = {
    "text-renamed-png": (lambda: b"Just some text, honestly a picture.\n", NOT_AN_IMAGE),
    "empty": (lambda: b"", "The submitted file is empty."),
    "truncated-png": (lambda: noisy_png()[:20_000], DAMAGED),
    "png-signature-only": (lambda: noisy_png()[:40], NOT_AN_IMAGE),
    "svg-with-script": (
        lambda: (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(document.domain)</script></svg>'
        ),
        "SVG and other formats are not accepted.",
    ),
    "html-renamed-png": (lambda: b"<!doctype html><script>alert(1)</script>", NOT_AN_IMAGE),
    "tiff-renamed-png": (lambda: image_bytes(Image.new("RGB", (20, 20)), "TIFF"), NOT_AN_IMAGE),
    "bmp-renamed-png": (lambda: image_bytes(Image.new("RGB", (20, 20)), "BMP"), NOT_AN_IMAGE),
    "decompression-bomb": (bomb_png, BOMB),
    "over-the-pixel-limit": (
        over_the_pixel_limit,
        "This picture is 6,000 × 5,000 pixels; the largest allowed is 12.6 million pixels.",
    ),
    "over-2-mb": (
        # Over the logo's limit, not over what the page accepts at all (that is a 413:
        # tests/security/test_body_limit.py).
        lambda: png_bytes(size=(10, 10)) + b"\0" * (LOGO_MAX_BYTES + 100_000),
        "the largest allowed is 2.0\xa0MB.",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
@pytest.mark.parametrize("name", ["logo.png", "logo.svg"])
def test_a_refused_upload_says_why_and_keeps_the_current_logo(
    sponsor_client, sponsor_with_logo, case, name, decoded_pixels
):
    sponsor = sponsor_with_logo
    make, message = REFUSED[case]
    before = (sponsor.logo.name, sponsor.logo_width, sponsor.logo_height, sponsor.name)
    files_before = stored_logos()
    content = make()

    response = post_logo(sponsor_client, sponsor, upload(name, content), name="Renamed Co")

    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Company details" in page
    # Refusing is cheap: a picture over the pixel limit is turned away before its pixels
    # are decoded.
    assert all(pixels <= MAX_PIXELS for pixels in decoded_pixels), decoded_pixels
    sponsor.refresh_from_db()
    assert (sponsor.logo.name, sponsor.logo_width, sponsor.logo_height, sponsor.name) == before
    assert default_storage.exists(sponsor.logo.name)
    assert stored_logos() == files_before


def test_a_refused_upload_for_a_company_without_a_logo_stores_nothing(sponsor_client, sponsor):
    files_before = stored_logos()

    response = post_logo(sponsor_client, sponsor, upload("logo.png", b"not a picture"))

    assert response.status_code == 200
    assert NOT_AN_IMAGE in text(response)
    sponsor.refresh_from_db()
    assert not sponsor.logo
    assert sponsor.logo_width is None
    assert stored_logos() == files_before


def test_the_form_tells_which_pictures_are_accepted(sponsor_client, sponsor):
    page = text(sponsor_client.get(reverse("sponsors:company", args=[sponsor.pk])))

    assert "JPEG, PNG, WebP or GIF, up to 2 MB" in page
    assert 'accept="image/png,image/jpeg,image/webp,image/gif"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_file_just_over_the_limit_gets_a_message_that_does_not_contradict_itself(
    sponsor_client, sponsor
):
    sent = png_bytes(size=(10, 10)) + b"\0" * (LOGO_MAX_BYTES + 50_000)

    response = post_logo(sponsor_client, sponsor, upload("logo.png", sent))

    assert response.status_code == 200
    sizes = re.search(
        r"This file is ([\d.,]+\s\w+); the largest allowed is ([\d.,]+\s\w+)\.", text(response)
    )
    assert sizes, "no size message"
    assert sizes.group(1) != sizes.group(2)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@pytest.mark.parametrize(("name", "format"), [("photo.jpg", "JPEG"), ("photo.webp", "WEBP")])
def test_a_picture_with_damaged_exif_is_not_a_server_error(
    sponsor_client, sponsor_with_logo, name, format
):
    sponsor = sponsor_with_logo
    sponsor_client.raise_request_exception = False

    response = post_logo(sponsor_client, sponsor, upload(name, with_damaged_exif(format)))

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert DAMAGED in text(response)


# --- safe_images.clean_image -------------------------------------------------------------------


def refusal_code(content, name="upload.png", **options):
    with pytest.raises(ValidationError) as refused:
        clean_image(upload(name, content), max_bytes=options.pop("max_bytes", 10**7), **options)
    return refused.value.code


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (lambda: b"", "empty"),
        (lambda: b"plain text", "not_an_image"),
        (lambda: image_bytes(Image.new("RGB", (8, 8)), "TIFF"), "not_an_image"),
        (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not_an_image"),
        (lambda: noisy_png()[:20_000], "damaged"),
        (lambda: noisy_png()[:-5_000] + noisy_png()[-12:], "damaged"),
        (over_the_pixel_limit, "too_many_pixels"),
        # Between Pillow's own limit and twice it Pillow only warns: still refused.
        (lambda: image_bytes(Image.new("1", (10_000, 10_000)), "PNG"), "bomb"),
        (bomb_png, "bomb"),
    ],
    ids=[
        "empty",
        "text",
        "tiff",
        "svg",
        "truncated",
        "missing-middle",
        "too-many-pixels",
        "pillow-warning-bomb",
        "pillow-error-bomb",
    ],
)
def test_clean_image_refuses_with_a_code(content, code):
    assert refusal_code(content()) == code


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_clean_image_raises_only_validation_errors_for_damaged_exif():
    with contextlib.suppress(ValidationError):  # a refusal is fine; any other error is not
        clean_image(upload("photo.jpg", with_damaged_exif("JPEG")), max_bytes=10**7)


def test_clean_image_checks_the_byte_size_before_reading():
    assert refusal_code(png_bytes(), max_bytes=100) == "too_large"


def test_clean_image_accepts_exactly_the_pixel_limit():
    width = 3_600
    height = MAX_PIXELS // width
    assert width * height == MAX_PIXELS
    content = image_bytes(Image.new("1", (width, height)), "PNG")

    cleaned = clean_image(upload("big.png", content), max_bytes=10**7, fit=(600, 300))

    with Image.open(cleaned) as image:
        assert image.height == 300
        assert image.width == round(300 * width / height)


def test_clean_image_refuses_a_bomb_without_decoding_it(decoded_pixels):
    assert refusal_code(bomb_png()) == "bomb"

    assert decoded_pixels == []


def test_clean_image_names_the_file_itself_and_keeps_only_pixels():
    payload = b"<?php system($_GET['c']); ?>"
    cleaned = clean_image(upload("shell.php.png", png_bytes() + payload), max_bytes=10**7)

    assert re.fullmatch(r"[0-9a-f]{32}\.png", cleaned.name)
    assert payload not in cleaned.read()


def test_clean_image_keeps_the_first_frame_of_an_animated_gif():
    frames = [Image.new("P", (16, 16), color) for color in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)

    cleaned = clean_image(upload("anim.gif", buffer.getvalue()), max_bytes=10**7)

    with Image.open(cleaned) as image:
        assert image.format == "PNG"
        assert getattr(image, "n_frames", 1) == 1
