"""Subscriber lists in and out as CSV, for editors (the admin calls these).

Import: columns `email` and `consent` (how the address agreed to receive the newsletter; a
row without it is refused, since mailing an address that never agreed is what the double
opt-in exists to prevent). Every line is accounted for in the report, by its line number:
added, already on the list, repeated within the file, or refused with the reason. Nothing is
dropped silently. Export cells that a spreadsheet would run as a formula are defused.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .models import Subscriber, normalise_email

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass
class ImportReport:
    added: list = field(default_factory=list)  # line numbers
    existing: list = field(default_factory=list)
    repeated: list = field(default_factory=list)  # (line, first line with that address)
    refused: list = field(default_factory=list)  # (line, reason)

    @property
    def lines(self):
        return len(self.added) + len(self.existing) + len(self.repeated) + len(self.refused)


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not CSV, too large, no email column)."""


def read_text(upload):
    if upload.size > MAX_IMPORT_BYTES:
        raise UnreadableFile(f"The file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB.")
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    try:
        # utf-8-sig: the byte-order mark spreadsheets write is not part of the first header.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"The file is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8."
        ) from error


def import_subscribers(text, now=None):
    """Add the file's addresses as confirmed subscribers; return an ImportReport."""
    now = now or timezone.now()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "email" not in headers:
        raise UnreadableFile("The first line must name the columns, one of them “email”.")
    report, seen, wanted = ImportReport(), {}, {}
    for row in reader:
        line = reader.line_num
        if len(seen) + len(report.refused) >= MAX_IMPORT_ROWS:
            raise UnreadableFile(f"More than {MAX_IMPORT_ROWS} rows: split the file.")
        address = normalise_email(row.get(headers["email"]))
        consent = " ".join((row.get(headers.get("consent")) or "").split())[:200]
        if not address:
            report.refused.append((line, "no address"))
            continue
        try:
            validate_email(address)
        except ValidationError:
            report.refused.append((line, "not an e-mail address"))
            continue
        if not consent:
            report.refused.append((line, "no consent stated"))
            continue
        if address in seen:
            report.repeated.append((line, seen[address]))
            continue
        seen[address] = line
        wanted[address] = (line, consent)
    with transaction.atomic():
        present = set(
            Subscriber.objects.filter(email__in=list(wanted)).values_list("email", flat=True)
        )
        new = []
        for address, (line, consent) in wanted.items():
            if address in present:
                report.existing.append(line)
                continue
            report.added.append(line)
            new.append(
                Subscriber(
                    email=address,
                    status=Subscriber.Status.CONFIRMED,
                    consent=Subscriber.Consent.IMPORT,
                    consent_note=consent,
                    confirmed_at=now,
                )
            )
        Subscriber.objects.bulk_create(new, batch_size=1000)
    return report


def safe_cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


EXPORT_COLUMNS = ["email", "status", "consent", "consent_note", "created", "confirmed_at"]


def export_rows(subscribers):
    """CSV lines, header first, for a streaming response (memory stays flat)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(EXPORT_COLUMNS)
    yield flush()
    for subscriber in subscribers.iterator(chunk_size=2000):
        writer.writerow(
            [
                safe_cell(subscriber.email),
                subscriber.status,
                subscriber.consent,
                safe_cell(subscriber.consent_note),
                subscriber.created.isoformat(),
                subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
            ]
        )
        yield flush()
