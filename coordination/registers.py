"""Registers: one list per case model, filtered, paginated and exported (CSV, XLSX).

Every registered mechanism has a register without an edit here — reference, title, mechanism,
originating organisation, state, dates — plus the columns its declaration adds (`columns`,
`annotate_register`); a notice pattern's register counts acknowledgements, a model with
effective dates filters "in force on" by its own `in_force` rule. Lists and exports read
`visible_cases`, so a register shows exactly what its reader may see; columns carry no
personal data (contact officers stay on the case page).
"""

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination.models import Case, Participant, Receipt, Region
from coordination.workflow import mechanisms
from coordination.workflow.access import visible_cases
from coordination.workflow.mechanisms import Column
from coordination.workflow.patterns import NoticeCase

EXPORT_CHUNK = 2000
# Spreadsheet formula injection: a cell that starts like a formula is written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Register:
    """A mechanism's register, as its declaration describes it (coordination/workflow/mechanisms.py)."""

    declaration: type[mechanisms.Mechanism]

    @property
    def model(self) -> type[Case]:
        return self.declaration.model

    @property
    def slug(self) -> str:
        return self.declaration.resource

    @property
    def title(self) -> str:
        return self.model._meta.verbose_name_plural

    @property
    def mechanism_codes(self) -> list[str]:
        return sorted(self.declaration.all_codes())

    @property
    def categories(self) -> list[tuple[str, str]]:
        try:
            return list(self.model._meta.get_field("category").choices or [])
        except FieldDoesNotExist:
            return []

    @property
    def has_effective_dates(self) -> bool:
        return any(f.name == "effective_from" for f in self.model._meta.get_fields())

    @property
    def states(self) -> list[tuple[str, str]]:
        return list(self.model._meta.get_field("state").choices)

    @property
    def new_page(self) -> str | None:
        return self.declaration.new_page

    @property
    def new_label(self):
        return self.declaration.new_label

    def annotate(self, queryset: QuerySet) -> QuerySet:
        if issubclass(self.model, NoticeCase):
            queryset = notice_annotations(self.model)(queryset)
        return self.declaration.annotate_register(queryset)

    def columns(self) -> list[Column]:
        extra = self.declaration.columns
        if issubclass(self.model, NoticeCase) and not any(c.key == "acknowledged" for c in extra):
            extra = (*extra, ACKNOWLEDGED_COLUMN)
        return [*BASE_COLUMNS, *extra]


def local_time(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def organisation_name(prefix: str) -> Callable[[Case], str]:
    def value(case):
        zh, en = getattr(case, f"{prefix}_zh", None), getattr(case, f"{prefix}_en", None)
        return (en if (get_language() or "").startswith("en") else zh) or ""

    return value


BASE_COLUMNS = (
    Column("reference", _("Reference number"), lambda c: c.reference),
    Column("title", _("Title"), lambda c: c.title),
    Column("mechanism", _("Mechanism"), lambda c: c.mechanism_id),
    Column("originator", _("Originating organisation"), lambda c: c.originator.name),
    Column("state", _("State"), lambda c: c.get_state_display()),
    Column("created_at", _("Created"), lambda c: local_time(c.created_at)),
    Column("due_at", _("Due"), lambda c: local_time(c.due_at)),
)


def _participant_subquery(model, **filters):
    return Participant.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), **filters
    )


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("object_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def notice_annotations(model):
    """How many addressees a notice has and how many acknowledged (one subquery each)."""

    def annotate(queryset):
        receipts = Receipt.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
        )
        return queryset.annotate(
            addressee_count=_count(receipts),
            acknowledged_count=_count(receipts.filter(state=Receipt.State.ACKNOWLEDGED)),
        )

    return annotate


ACKNOWLEDGED_COLUMN = Column("acknowledged", _("Acknowledged"), lambda c: f"{c.acknowledged_count}/{c.addressee_count}")


def responder_annotations(queryset):
    """The responsible organisation's names (a request–reply register's column)."""
    responder = _participant_subquery(queryset.model, role=Participant.Role.RESPONDER).order_by("pk")
    return queryset.annotate(
        responder_zh=Subquery(responder.values("organisation__name_zh")[:1]),
        responder_en=Subquery(responder.values("organisation__name_en")[:1]),
    )


responder_name = organisation_name("responder")


def registers() -> list[Register]:
    return [Register(declaration) for declaration in mechanisms.registered()]


def register_for(slug: str) -> Register | None:
    declaration = mechanisms.for_resource(slug)
    return Register(declaration) if declaration else None


def registers_by_mechanism(user=None) -> dict[str, list[Register]]:
    """mechanism code → the registers holding its cases (for the catalogue's links)."""
    by_code: dict[str, list[Register]] = {}
    for register in registers():
        for code in register.mechanism_codes:
            by_code.setdefault(code, []).append(register)
    return by_code


# --- filtering ----------------------------------------------------------------------------------


@dataclass
class RegisterFilters:
    state: str = ""
    region: str = ""
    category: str = ""
    mechanism: str = ""
    in_force_on: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def querystring(self) -> str:
        from urllib.parse import urlencode

        params = {
            "state": self.state,
            "region": self.region,
            "category": self.category,
            "mechanism": self.mechanism,
            "in_force_on": self.in_force_on.isoformat() if self.in_force_on else "",
        }
        return urlencode({k: v for k, v in params.items() if v})


def filters_from(register: Register, params) -> RegisterFilters:
    """Valid filters from a query string; an invalid value is ignored and reported."""
    f = RegisterFilters()
    state = params.get("state", "")
    if state in dict(register.states):
        f.state = state
    region = params.get("region", "")
    if region and Region.objects.provincial().filter(code=region).exists():
        f.region = region
    category = params.get("category", "")
    if category in dict(register.categories):
        f.category = category
    mechanism = params.get("mechanism", "")
    if mechanism in register.mechanism_codes:
        f.mechanism = mechanism
    raw_date = params.get("in_force_on", "")
    if raw_date and register.has_effective_dates:
        try:
            f.in_force_on = date.fromisoformat(raw_date)
        except ValueError:
            f.errors["in_force_on"] = str(_("Enter a valid date (YYYY-MM-DD)."))
    return f


def register_queryset(register: Register, user, filters: RegisterFilters) -> QuerySet:
    """The cases of the register the user may see, filtered, newest first."""
    queryset = visible_cases(user, register.model)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.mechanism:
        queryset = queryset.filter(mechanism_id=filters.mechanism)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.region:
        queryset = queryset.filter(
            Exists(_participant_subquery(register.model, organisation__region_id=filters.region))
        )
    if filters.in_force_on:
        queryset = register.model.in_force(queryset, on=filters.in_force_on)
    queryset = register.annotate(queryset)
    return queryset.select_related("mechanism", "originator").order_by("-created_at", "-id")


# --- export -------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int | Decimal):
        return str(value)  # a number, −400 too, is no formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def display_value(value) -> str:
    """How a register cell reads on the page (local times, ISO dates, — for nothing)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _rows(register: Register, queryset) -> Iterator[list]:
    columns = register.columns()
    for case in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield [column.value(case) for column in columns]


class _Echo:
    def write(self, value):
        return value


def export_filename(register: Register, extension: str) -> str:
    return f"{register.slug}-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(register: Register, queryset) -> StreamingHttpResponse:
    """A CSV streamed row by row (UTF-8 with a BOM, so spreadsheet programs read Chinese).
    `register` is a Register or any table that has a `slug`, a `title` and `columns()` (an
    app's own list, exported the same way)."""
    writer = csv.writer(_Echo())
    headers = [str(c.header) for c in register.columns()]

    def lines():
        yield "\ufeff" + writer.writerow(headers)
        for row in _rows(register, queryset):
            yield writer.writerow([_cell_text(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(register, "csv")}"'
    return response


def xlsx_response(register: Register, queryset) -> FileResponse:
    """An XLSX written in openpyxl's write-only mode (constant memory, rows streamed to a
    temporary file), then streamed to the client in blocks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(register.title)[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in register.columns():
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(register, queryset):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value if isinstance(value, int | Decimal | date) else _plain(value))
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=export_filename(register, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _plain(value):
    return None if value is None else str(value)
