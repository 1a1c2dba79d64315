"""The attachments of a WXR export: files copied from a local folder, references rewritten.

A WordPress export lists its uploads as `attachment` items (their address and the path under
wp-content/uploads) but never holds the files. `Attachments` finds, for each picture or link
of a post that points at one of them, the file of the same name in the folder the operator
gives (the export's uploads folder, or any folder of those files), copies it into media
storage under `imported/`, and points the reference at the copy. Nothing is ever fetched from
the network: a file that is not in the folder, or whose type is not copied, stays a reference to
its original address, and the post's notes say so. Only pictures and PDFs whose first bytes are
those of their type are copied (an .svg or .html file could carry scripts to readers).
"""

import hashlib
import html
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

STORAGE_FOLDER = "imported"
# The first bytes each copied type starts with.
SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
}
# WordPress's smaller copies of a picture: diagram-300x200.png is a size of diagram.png.
SIZED_RE = re.compile(r"-\d+x\d+(?=\.\w+$)")
REFERENCE_RE = re.compile(
    r"(?P<before>\b(?:src|href)\s*=\s*)(?P<quote>[\"'])(?P<url>.*?)(?P=quote)",
    re.IGNORECASE | re.DOTALL,
)


class Attachment:
    """One attachment item and what became of its file in this run."""

    def __init__(self, item):
        self.item = item
        self.url = item.attachment_url or item.link
        self.relative = item.attached_file.strip().lstrip("/")
        self.name = PurePosixPath(self.relative or unquote(urlsplit(self.url).path)).name
        self.copy = None  # the storage name, once copied or found there
        self.problem = None  # why it stays at its original address
        self.referenced = False


class Attachments:
    """The export's attachments by address, and their copies (made once per run)."""

    def __init__(self, document, *, folder=None, dry_run=False):
        self.folder = Path(folder) if folder else None
        self.dry_run = dry_run
        self.outcomes = {}
        self.hosts = {
            _host(url)
            for url in (document.base_site_url, document.base_blog_url, document.link)
            if _host(url)
        }
        self.items = document.items
        self.by_path, self.by_name, self.all = {}, {}, []
        for item in document.items:
            if item.post_type != "attachment":
                continue
            attachment = Attachment(item)
            self.all.append(attachment)
            self.by_name.setdefault(attachment.name, []).append(attachment)
            if _host(attachment.url):
                self.hosts.add(_host(attachment.url))
            for path in (_path(attachment.url), f"/{attachment.relative}"):
                if path and path != "/":
                    self.by_path.setdefault(path, attachment)
        self._files = None

    def rewrite(self, markup, notes):
        """`markup` with its references to attachments pointed at their copies; what could
        not be copied is added to `notes` and keeps its original address."""
        if not self.by_path:
            return markup

        def replace(match):
            attachment = self.find(html.unescape(match["url"]))
            if attachment is None:
                return match[0]
            copy = self.copied(attachment)
            if copy is None:
                notes.append(
                    f"“{attachment.name}” (attachment, item {attachment.item.number}) "
                    f"{attachment.problem}; it still points at {match['url']}"
                )
                return match[0]
            url = html.escape(default_storage.url(copy))
            return f"{match['before']}{match['quote']}{url}{match['quote']}"

        return REFERENCE_RE.sub(replace, markup)

    def find(self, url):
        host, path = _host(url), _path(url)
        if not path or (host and host not in self.hosts):
            return None
        for candidate in (path, SIZED_RE.sub("", path)):
            if candidate in self.by_path:
                return self.by_path[candidate]
            # The upload 2016/03/x.png under another folder: /storage/2016/03/x.png.
            for attachment in self.by_name.get(PurePosixPath(candidate).name, ()):
                if attachment.relative and candidate.endswith(f"/{attachment.relative}"):
                    return attachment
        return None

    def copied(self, attachment):
        """The storage name of the attachment's copy, copying it the first time; None (and
        `attachment.problem`) when it stays at its original address."""
        attachment.referenced = True
        if attachment.copy or attachment.problem:
            return attachment.copy
        source = self._source(attachment)
        if source is None:
            return None
        name, digest = self._storage_name(attachment), _sha256(source)
        if default_storage.exists(name) and _stored_sha256(name) != digest:
            # Another file has that name: this one gets a name of its own, the same every run.
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}-{digest[:12]}{dot}{suffix}"
        if default_storage.exists(name):
            attachment.copy, self.outcomes[attachment] = name, "unchanged"
        elif self.dry_run:
            attachment.copy, self.outcomes[attachment] = name, "created"
        else:
            with source.open("rb") as handle:
                attachment.copy = default_storage.save(name, File(handle, name=source.name))
            self.outcomes[attachment] = "created"
        return attachment.copy

    def report(self, report):
        """Count each attachment's outcome; say why unused ones were not copied."""
        featured = {}
        for item in self.items:
            featured.setdefault(item.meta.get("_thumbnail_id"), f"item {item.number}")
        for attachment in self.all:
            if attachment in self.outcomes:
                report.add("attachment", self.outcomes[attachment])
            elif attachment.referenced:
                report.add("attachment", "skipped")
            else:
                featuring = featured.get(attachment.item.post_id)
                why = (
                    f"is the featured image of {featuring}, which is not imported as a lead image"
                    if featuring
                    else "is not used by any imported post"
                )
                report.skip(
                    "attachment",
                    attachment.item.where,
                    f"{why}; not copied (it stays at {attachment.url or 'no address'})",
                )

    def _source(self, attachment):
        if self.folder is None:
            attachment.problem = "was not copied: no attachments folder was given"
            return None
        suffix = PurePosixPath(attachment.name).suffix.lower()
        if suffix not in SIGNATURES:
            attachment.problem = f"was not copied: {suffix or 'files without a type'} are not"
            attachment.problem += " copied into media storage"
            return None
        source = self._find_file(attachment)
        if source is None:
            attachment.problem = "is not in the attachments folder"
            return None
        with source.open("rb") as handle:
            start = handle.read(16)
        if not start.startswith(SIGNATURES[suffix]):
            attachment.problem = f"was not copied: the file {source.name} is not a {suffix} file"
            return None
        return source

    def _find_file(self, attachment):
        if attachment.relative:
            candidate = (self.folder / attachment.relative).resolve()
            if candidate.is_file() and candidate.is_relative_to(self.folder.resolve()):
                return candidate
        if self._files is None:
            self._files = {}
            for path in sorted(self.folder.rglob("*")):
                if path.is_file():
                    self._files.setdefault(path.name, []).append(path)
        found = self._files.get(attachment.name, [])
        # Of several files of that name, the one whose folders match the address most.
        wanted = PurePosixPath(attachment.relative or _path(attachment.url)).parts
        return max(found, key=lambda path: _common_tail(path.parts, wanted), default=None)

    def _storage_name(self, attachment):
        parts = PurePosixPath(attachment.relative or attachment.name).parts
        safe = [get_valid_filename(p) for p in parts if p not in ("", ".", "..", "/")]
        return "/".join([STORAGE_FOLDER, *safe])


def _host(url):
    host = (urlsplit(url or "").hostname or "").lower()
    return host.removeprefix("www.")


def _path(url):
    return unquote(urlsplit(url or "").path)


def _common_tail(a, b):
    count = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        count += 1
    return count


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_sha256(name):
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
