"""Registers: one list per case model, filtered, paginated and exported (CSV, XLSX).

Every case model has a register without an edit here — reference, title, mechanism,
originating organisation, state, dates — and a mechanism may describe extra columns and
filters (measure notices: category, effective dates, "in force on"; assignment sheets: the
responsible organisation). Lists and exports read `visible_cases`, so a register shows exactly
what its reader may see; columns carry no personal data (contact officers stay on the case page).
"""

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination.models import Case, Participant, Region
from coordination.workflow.access import visible_cases
from coordination.workflow.deadlines import case_models
from coordination.workflow.patterns import NoticeCase

EXPORT_CHUNK = 2000
# Spreadsheet formula injection: a cell that starts like a formula is written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[Case], object]


@dataclass(frozen=True)
class Register:
    slug: str
    model: type[Case]
    extra_columns: tuple[Column, ...] = ()
    annotate: Callable[[QuerySet], QuerySet] = field(default=lambda qs: qs)

    @property
    def title(self) -> str:
        return self.model._meta.verbose_name_plural

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    @property
    def mechanism_codes(self) -> list[str]:
        return sorted(getattr(self.model, "reference_codes", None) or [self.model.mechanism_code])

    @property
    def categories(self) -> list[tuple[str, str]]:
        try:
            return list(self.model._meta.get_field("category").choices or [])
        except Exception:  # noqa: BLE001 - FieldDoesNotExist: the model has no categories
            return []

    @property
    def has_effective_dates(self) -> bool:
        return any(f.name == "effective_from" for f in self.model._meta.get_fields())

    @property
    def states(self) -> list[tuple[str, str]]:
        return list(self.model._meta.get_field("state").choices)

    def columns(self) -> list[Column]:
        return [*BASE_COLUMNS, *self.extra_columns]


def _local(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _org_name(prefix: str) -> Callable[[Case], str]:
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
    Column("created_at", _("Created"), lambda c: _local(c.created_at)),
    Column("due_at", _("Due"), lambda c: _local(c.due_at)),
)


def _participant_subquery(model, **filters):
    return Participant.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), **filters
    )


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("object_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _notice_annotations(model):
    def annotate(queryset):
        addressees = _participant_subquery(model, role=Participant.Role.ADDRESSEE)
        return queryset.annotate(
            addressee_count=_count(addressees),
            acknowledged_count=_count(addressees.filter(receipt_state=Participant.ReceiptState.ACKNOWLEDGED)),
        )

    return annotate


def _responder_annotations(model):
    def annotate(queryset):
        responder = _participant_subquery(model, role=Participant.Role.RESPONDER).order_by("pk")
        return queryset.annotate(
            responder_zh=Subquery(responder.values("organisation__name_zh")[:1]),
            responder_en=Subquery(responder.values("organisation__name_en")[:1]),
        )

    return annotate


def _measure_notice_register(model) -> Register:
    return Register(
        slug="measure-notices",
        model=model,
        extra_columns=(
            Column("category", _("Category"), lambda c: c.get_category_display()),
            Column("effective_from", _("Effective from"), lambda c: c.effective_from),
            Column("effective_until", _("Effective until"), lambda c: c.effective_until),
            Column("edition", _("Edition"), lambda c: c.edition),
            Column("acknowledged", _("Acknowledged"), lambda c: f"{c.acknowledged_count}/{c.addressee_count}"),
        ),
        annotate=_notice_annotations(model),
    )


def _assignment_sheet_register(model) -> Register:
    return Register(
        slug="assignment-sheets",
        model=model,
        extra_columns=(
            Column("responder", _("Responsible organisation"), _org_name("responder")),
            Column("reply_due", _("Reply requested by"), lambda c: _local(c.reply_due)),
            Column("replied_at", _("Replied"), lambda c: _local(c.replied_at)),
        ),
        annotate=_responder_annotations(model),
    )


# Mechanisms that describe their register; any other case model gets the generic one.
CUSTOM = {
    "coordination.measurenotice": _measure_notice_register,
    "coordination.assignmentsheet": _assignment_sheet_register,
}


def _generic_register(model) -> Register:
    annotate = _notice_annotations(model) if issubclass(model, NoticeCase) else (lambda qs: qs)
    columns = ()
    if issubclass(model, NoticeCase):
        columns = (Column("acknowledged", _("Acknowledged"), lambda c: f"{c.acknowledged_count}/{c.addressee_count}"),)
    return Register(slug=model._meta.model_name, model=model, extra_columns=columns, annotate=annotate)


def registers() -> list[Register]:
    found = []
    for model in case_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        found.append(CUSTOM.get(label, _generic_register)(model))
    return found


def register_for(slug: str) -> Register | None:
    return next((r for r in registers() if r.slug == slug), None)


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
        day = filters.in_force_on
        queryset = queryset.filter(
            Q(effective_from__lte=day) & (Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        ).exclude(state="withdrawn")
    queryset = register.annotate(queryset)
    return queryset.select_related("mechanism", "originator").order_by("-created_at", "-id")


# --- export -------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
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
    """A CSV streamed row by row (UTF-8 with a BOM, so spreadsheet programs read Chinese)."""
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
            cell = WriteOnlyCell(sheet, value=value if isinstance(value, int | date) else _plain(value))
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
