"""Ingesting a region's daily red/yellow-code list: read (CSV in UTF-8 with or without BOM, or
GBK; or an API batch), check every row, then load the whole list in one transaction — on
PostgreSQL with COPY — or nothing at all.

Every row is checked before anything is written: a list with bad rows is refused with a report
of them (row number, field, message; the first REPORT_ROWS, and how many in all), unless the
uploader chose `skip_invalid`, which loads the valid rows and counts the others. An ID number
listed twice keeps its more severe colour. The same content for the same region and day again
answers the list already held; new content for that day supersedes it.
"""

import codecs
import csv
import hashlib
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.errors import Invalid
from coordination.mechanisms.health_codes.models import ID_PURPOSE, CodeList, CodeListEntry
from coordination.pii import crypto, idcard
from coordination.pii.text import mask_text

log = logging.getLogger(__name__)

REPORT_ROWS = 100
COLOURS = {"red": "r", "r": "r", "红": "r", "红码": "r", "yellow": "y", "y": "y", "黄": "y", "黄码": "y"}
SEVERE = {"r": 2, "y": 1}
HEADERS = {"id_number": ("id_number", "身份证号", "身份证号码"), "colour": ("colour", "color", "码色", "颜色")}
SNIFF_BYTES = 1 << 16
BATCH_ROWS = 10_000  # rows per INSERT where there is no COPY (SQLite)


@dataclass
class Report:
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    duplicates: int = 0

    def refuse(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_ROWS:
            self.errors.append({"row": row, "field": column, "message": message})


@dataclass
class Ingested:
    code_list: CodeList
    created: bool
    superseded: list[int] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------


def _text_stream(binary, digest) -> io.TextIOBase:
    """The upload as text: UTF-8 (a BOM is dropped) when its first 64 KiB decode as UTF-8, GBK
    otherwise; the raw bytes go through `digest` as they are read."""

    class Hashing(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = binary.read(len(buffer))
            digest.update(chunk)
            buffer[: len(chunk)] = chunk
            return len(chunk)

    raw = io.BufferedReader(Hashing(), buffer_size=SNIFF_BYTES)
    head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            head.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the sniff's end is still UTF-8.
            encoding = "utf-8" if exc.start >= len(head) - 3 else "gbk"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def csv_rows(upload) -> tuple[Iterator[tuple[int, str, str]], "hashlib._Hash"]:
    """(row number, ID number, colour) of a CSV upload, and the SHA-256 of its bytes (complete
    once the rows are read). Raises Invalid for a file without the two columns."""
    digest = hashlib.sha256()
    stream = _text_stream(upload, digest)
    reader = csv.reader(stream)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise Invalid(
            _("The file cannot be read as CSV (%(error)s).") % {"error": exc}, code="unreadable_file"
        ) from None
    columns = {}
    for key, names in HEADERS.items():
        found = [index for index, name in enumerate(header) if name in names]
        if not found:
            raise Invalid(
                _("The file's first row must name the columns id_number and colour (or 身份证号 and 码色)."),
                code="wrong_headers",
                details={"header": [mask_text(name)[:40] for name in header[:20]]},
            )
        columns[key] = found[0]
    id_column, colour_column = columns["id_number"], columns["colour"]
    width = max(id_column, colour_column) + 1

    def rows():
        try:
            for number, row in enumerate(reader, start=2):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) < width:
                    yield number, row[id_column] if len(row) > id_column else "", ""
                else:
                    yield number, row[id_column], row[colour_column]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise Invalid(
                _("The file cannot be read past row %(row)s (%(error)s).") % {"row": reader.line_num, "error": exc},
                code="unreadable_file",
            ) from None

    return rows(), digest


def batch_rows(entries: list) -> Iterator[tuple[int, str, str]]:
    """(row number from 1, ID number, colour) of an API batch's entries."""
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            yield number, "", ""
        else:
            yield number, str(entry.get("id_number", "")), str(entry.get("colour", ""))


def _checked(rows: Iterable[tuple[int, str, str]], report: Report) -> dict[bytes, str]:
    """The valid rows as digest → colour (the more severe of repeated numbers); the others
    reported. The clear numbers go no further than this loop."""
    digest_of = crypto.search_digester(purpose=ID_PURPOSE)
    wanted: dict[bytes, str] = {}
    for number, id_number, colour in rows:
        report.rows += 1
        code = COLOURS.get(colour.strip().lower())
        if code is None:
            report.refuse(number, "colour", _("The colour must be red or yellow (红 or 黄)."))
            continue
        try:
            valid = idcard.validate_id_number(id_number)
        except idcard.InvalidIDNumber as exc:
            report.refuse(number, "id_number", str(exc))
            continue
        key = digest_of(valid)
        held = wanted.get(key)
        if held is not None:
            report.duplicates += 1
            if SEVERE[held] >= SEVERE[code]:
                continue
        wanted[key] = code
    return wanted


# --- loading ----------------------------------------------------------------------------------


def _load(code_list_id: int, wanted: dict[bytes, str]) -> None:
    table = CodeListEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (code_list_id, digest, colour) FROM STDIN") as copy:
                for key, colour in wanted.items():
                    copy.write_row((code_list_id, key, colour))
            return
        rows = [(code_list_id, key, colour) for key, colour in wanted.items()]
        for start in range(0, len(rows), BATCH_ROWS):
            cursor.executemany(
                f"INSERT INTO {table} (code_list_id, digest, colour) VALUES (%s, %s, %s)",  # noqa: S608 - our table
                rows[start : start + BATCH_ROWS],
            )


def list_ingest(
    *, by, organisation, region, list_date: date, rows, digest=None, skip_invalid: bool = False
) -> Ingested:
    """Check and load one region's list of one day (see the module). `rows`: (row number, ID
    number, colour) from `csv_rows` or `batch_rows`; `digest`: the SHA-256 of the upload's
    bytes (else of the valid rows). Raises Invalid with the row report."""
    report = Report()
    wanted = _checked(rows, report)
    if report.error_count and not skip_invalid:
        raise Invalid(
            _("%(count)s of %(rows)s rows are not valid: nothing was loaded.")
            % {"count": report.error_count, "rows": report.rows},
            code="invalid_rows",
            details={"rows": report.errors, "error_count": report.error_count, "row_count": report.rows},
        )
    if not wanted and not report.rows:
        raise Invalid(_("The list has no rows."), code="empty_list")
    if digest is None:
        digest = hashlib.sha256(b"".join(sorted(key + colour.encode() for key, colour in wanted.items())))
    sha256 = digest.hexdigest()
    with transaction.atomic():
        # One upload of a region's day at a time: the region's row serialises them.
        type(region).objects.select_for_update().filter(pk=region.pk).first()
        current = CodeList.objects.filter(region=region, list_date=list_date, superseded_at__isnull=True)
        same = current.filter(sha256=sha256).first()
        if same is not None:
            return Ingested(same, created=False)
        superseded = list(current.values_list("pk", flat=True))
        current.update(superseded_at=timezone.now())
        red = sum(1 for colour in wanted.values() if colour == "r")
        code_list = CodeList.objects.create(
            region=region,
            list_date=list_date,
            organisation=organisation,
            uploaded_by=by,
            sha256=sha256,
            records=len(wanted),
            red=red,
            yellow=len(wanted) - red,
            duplicates=report.duplicates,
            skipped=report.error_count,
        )
        _load(code_list.pk, wanted)
        forget_latest()  # this transaction's own lookups see the new list…
        transaction.on_commit(forget_latest)  # …and, once committed, every later one
    log.info(
        "health codes: %s list of %s loaded, %s records (%s skipped)",
        region.pk,
        list_date,
        code_list.records,
        report.error_count,
    )
    return Ingested(code_list, created=True, superseded=superseded)


def forget_latest() -> None:
    from coordination.mechanisms.health_codes import lookups

    lookups.forget_latest_lists()
