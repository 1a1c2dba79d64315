"""Uploaded pictures made safe: decoded fully by Pillow, checked, and written out anew.

Avatars (accounts), lead images (digest) and logos (sponsors) all pass through here; it is a
package of its own because `accounts` and `digest` import no other app of ours.

An upload is never stored as sent. It must be a JPEG, PNG, WebP or GIF by its content (not
its name), small enough in bytes and in pixels, and decode completely; then it is re-encoded
from its pixels alone, so metadata (EXIF, GPS, comments) and anything appended to the file are
left behind, and it gets a name made by the server.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
FORMAT_NAMES = "JPEG, PNG, WebP or GIF"
ACCEPT = "image/png,image/jpeg,image/webp,image/gif"  # for <input type=file accept=…>
# Well below Pillow's own bomb limit (about 89 million pixels) and small enough that the
# costliest decode (a lossless RGBA WebP) stays under 300 MB of worker memory; a 12-megapixel
# phone photo (4,032 × 3,024) fits.
MAX_PIXELS = 12_600_000


def _refuse(message, code):
    raise ValidationError(message, code=code)


def upright(image):
    """The picture turned the way the camera meant (EXIF orientation); as it is when its EXIF
    is too damaged to read, since the pixels themselves decoded fine."""
    try:
        return ImageOps.exif_transpose(image, in_place=True) or image
    except Exception:  # noqa: BLE001 -- Pillow raises many kinds on broken EXIF
        return image.copy()


def clean_image(upload, *, max_bytes, max_pixels=MAX_PIXELS, fit=None):
    """A new ContentFile with the picture's pixels only, or ValidationError saying why not.

    `fit` = (width, height) shrinks larger pictures to fit, keeping their proportions.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        sent, allowed = filesizeformat(size), filesizeformat(max_bytes)
        if sent == allowed:  # just over the limit: rounded, both would read "2.0 MB"
            sent, allowed = f"{size:,} bytes", f"{max_bytes:,} bytes"
        _refuse(f"This file is {sent}; the largest allowed is {allowed}.", "too_large")
    if not size:
        _refuse("This file is empty. Please choose a picture.", "empty")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; a warning is a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                _refuse(
                    f"This picture is {width:,} × {height:,} pixels; the largest allowed is "
                    f"{max_pixels / 1_000_000:g} million pixels. Please send a smaller one.",
                    "too_many_pixels",
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "This picture has far too many pixels to be opened safely (a “decompression "
            "bomb”). Please send a smaller one.",
            code="bomb",
        ) from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(
            f"This file is not a {FORMAT_NAMES} picture (whatever its name says). "
            "SVG and other formats are not accepted.",
            code="not_an_image",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(
            "This picture is damaged or incomplete and cannot be read. Please export it again.",
            code="damaged",
        ) from exc

    source_format = image.format
    image = upright(image)
    # Nothing of the source's metadata (EXIF, comments, ICC, text chunks) goes to the writer.
    image.info = {}
    if fit:
        image.thumbnail(fit, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=88, optimize=True)
        extension = "jpg"
    else:
        # PNG keeps transparency and is lossless; a GIF keeps its first frame only.
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
        extension = "png"
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def make_renditions(storage, name, widths):
    """Smaller copies of the stored picture `name` for a srcset, one per width narrower than
    the picture: [{"name", "width", "height"}, …], written beside it in the same format.

    Made once, when the picture is saved, so no page view resizes anything. The source was
    checked by clean_image when it was uploaded, so it decodes within MAX_PIXELS.
    """
    with storage.open(name, "rb") as source, Image.open(source, formats=FORMATS) as image:
        image.load()
        source_format = image.format
        width, height = image.size
        made = []
        stem, _, extension = name.rpartition(".")
        for target in sorted(w for w in set(widths) if w < width):
            copy = image.resize(
                (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS
            )
            output = io.BytesIO()
            if source_format == "JPEG":
                copy.convert("RGB").save(
                    output, "JPEG", quality=82, optimize=True, progressive=True
                )
            else:
                copy.save(output, "PNG", optimize=True)
            stored = storage.save(f"{stem}-{target}w.{extension}", ContentFile(output.getvalue()))
            made.append({"name": stored, "width": copy.width, "height": copy.height})
    return made
