"""Importing a letter's persons from CSV or XLSX, and the template to fill in.

A file is read whole before anything is written, and checked row by row: the report names each
bad row, its column and a machine-readable code, never the value. Nothing is imported while a
row is bad, unless the sender asks for the valid rows only. CSV may be UTF-8 (with or without a
byte-order mark) or GBK (GB 18030, its superset, is what is tried); cells that a spreadsheet
would run as formulas are refused, and the template and every export escape them.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from coordination.errors import Unprocessable
from coordination.mechanisms.tracing_letters.persons import FIELDS, Cities, person_check
from coordination.pii.idcard import with_check_character
from coordination.pii.text import mask_text

# Column headers a file may use for each field: the template's Chinese one, the field's name,
# its English label.
HEADERS = {
    "name": ("姓名", "name"),
    "id_kind": ("证件类型", "id_kind", "document type"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "id_number", "id number"),
    "phone": ("联系电话", "手机号码", "电话", "phone"),
    "address": ("最后已知住址", "住址", "现住址", "address", "last known address"),
    "city": ("所在城市", "城市", "city"),
    "relation": ("与病例关系", "关系", "relation", "relation to the case"),
    "exposure_date": ("接触日期", "exposure_date", "exposure date"),
    "exposure_place": ("接触地点", "exposure_place", "exposure place"),
}
TEMPLATE_HEADERS = [HEADERS[name][0] for name in FIELDS]
TEMPLATE_EXAMPLE = [
    "张三",
    "居民身份证",
    with_check_character("34010419900307123"),
    "13800000000",
    "合肥市蜀山区长江西路1号",
    "合肥",
    "同乘",
    "2020-01-25",
    "G7192次列车5车厢",
]
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def max_rows() -> int:
    return settings.TRACING_LETTER_MAX_PERSONS


def max_bytes() -> int:
    return settings.TRACING_LETTER_MAX_IMPORT_BYTES


@dataclass
class ImportReport:
    """What a file held: the checked rows (row number in the file → values) and the bad ones."""

    total: int = 0
    valid: list[tuple[int, dict]] = field(default_factory=list)
    invalid: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.total, "valid": len(self.valid), "invalid": len(self.invalid), "errors": self.invalid}


def _header_map(header: list) -> dict[int, str]:
    names = {}
    for alias_field, aliases in HEADERS.items():
        for alias in aliases:
            names[alias.lower()] = alias_field
    mapping, unknown, seen = {}, [], set()
    for index, cell in enumerate(header):
        text = str(cell or "").strip().lstrip("\ufeff").strip("*").strip().lower()
        if not text:
            continue
        name = names.get(text)
        if name is None or name in seen:
            unknown.append(mask_text(str(cell))[:40])  # a data row taken for a header shows masked
            continue
        seen.add(name)
        mapping[index] = name
    missing = [HEADERS[name][0] for name in FIELDS if name not in seen and name not in ("id_kind", "phone", "address")]
    if missing or unknown:
        raise Unprocessable(
            _("The file's header row is not the template's: %(problems)s.")
            % {
                "problems": "; ".join(
                    filter(
                        None,
                        [
                            _("missing %(columns)s") % {"columns": "、".join(missing)} if missing else "",
                            _("unknown %(columns)s") % {"columns": "、".join(unknown)} if unknown else "",
                        ],
                    )
                )
            },
            code="bad_headers",
            details={"missing": missing, "unknown": unknown, "expected": TEMPLATE_HEADERS},
        )
    return mapping


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unprocessable(
        _("The file is neither UTF-8 nor GBK text; save it as CSV UTF-8 or as an Excel workbook."),
        code="bad_encoding",
    )


def _csv_rows(content: bytes):
    text = _decode(content)
    if "\x00" in text:
        raise Unprocessable(_("The file is not a CSV or XLSX file."), code="unsupported_file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error:
        # A field past the csv module's limit (131,072 characters), a stray NUL…
        raise Unprocessable(_("The file is not a CSV file the template describes."), code="unsupported_file") from None


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook

    unreadable = Unprocessable(_("The workbook cannot be read; save it again as .xlsx."), code="unsupported_file")
    # openpyxl raises whatever its zip and XML readers raise for a damaged workbook (BadZipFile,
    # KeyError, XML syntax errors…): any of them, while opening or reading a row, is that.
    try:
        # read_only streams the sheet; formulas come back as their text ("=…"), never computed.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - see above
        raise unreadable from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - see above
                raise unreadable from None
            yield list(row)
    finally:
        workbook.close()


def file_rows(name: str, content: bytes):
    if content.startswith(XLS_MAGIC):
        raise Unprocessable(_("Old .xls workbooks are not read; save it as .xlsx or CSV."), code="unsupported_file")
    if content.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    return _csv_rows(content)


def import_check(upload, *, cities: Cities) -> ImportReport:
    """Every row of the uploaded file checked; a file that cannot be read at all (its type, its
    encoding, its headers, too many rows) is refused as a whole (422)."""
    content = upload.read(max_bytes() + 1)
    if len(content) > max_bytes():
        raise Unprocessable(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)}, code="file_too_large"
        )
    if not content.strip():
        raise Unprocessable(_("The file is empty."), code="no_persons")
    rows = file_rows(getattr(upload, "name", "") or "", content)
    mapping = None
    report = ImportReport()
    limit = max_rows()
    seen_numbers: dict[str, int] = {}
    for line, row in enumerate(rows, start=1):
        if mapping is None:
            mapping = _header_map(list(row))
            continue
        if not any(str(cell).strip() for cell in row if cell is not None):
            continue  # blank lines (Excel leaves some at the end)
        report.total += 1
        if report.total > limit:
            raise Unprocessable(
                _("A letter lists at most %(limit)s persons; split the file.") % {"limit": limit},
                code="too_many_rows",
                details={"limit": limit},
            )
        raw = {name: (row[index] if index < len(row) else None) for index, name in mapping.items()}
        checked = person_check(raw, cities=cities)
        errors = [error.as_dict() for error in checked.errors]
        number = checked.values.get("id_number")
        if number and not any(e["field"] == "id_number" for e in errors):
            if number in seen_numbers:
                errors.append(
                    {
                        "field": "id_number",
                        "code": "duplicate",
                        "message": _("The same document number as row %(row)s.") % {"row": seen_numbers[number]},
                    }
                )
            else:
                seen_numbers[number] = line
        if errors:
            report.invalid.append({"row": line, "errors": errors})
        else:
            report.valid.append((line, checked.values))
    if mapping is None:
        raise Unprocessable(_("The file is empty."), code="no_persons")
    if report.total == 0:
        raise Unprocessable(_("The file lists no persons."), code="no_persons")
    return report


# --- the template and exports -------------------------------------------------------------------


def escape_cell(value) -> str:
    """A value written to a CSV or workbook cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow([escape_cell(value) for value in TEMPLATE_EXAMPLE])
    # UTF-8 with a byte-order mark: what Excel opens without garbling the Chinese headers.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "密切接触者"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append([escape_cell(value) for value in TEMPLATE_EXAMPLE])
    for column, width in zip("ABCDEFGHI", (10, 12, 22, 16, 30, 10, 12, 12, 24), strict=True):
        sheet.column_dimensions[column].width = width
        sheet[f"{column}2"].number_format = "@"  # text: ID numbers keep their 18 digits
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
