"""The page that files an M4 mutual-aid request (the declaration's `new_page`): its lines added
as needed, posted through the API's create serializer and the create service, errors next to
their fields and lines, nothing typed lost."""

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from coordination.case_pages import creator_required
from coordination.errors import DomainError, Invalid
from coordination.workflow.access import membership_of
from supplies.api.aid import SupplyRequestCreateSerializer
from supplies.models import SupplyItem, Urgency, Warehouse
from supplies.pages.forms import FormPayload, form_errors
from supplies.services.aid import MAX_LINES, supply_request_create

RESOURCE = "supply-requests"
FIELDS = (
    "title",
    "urgency",
    "needed_by",
    "purpose",
    "delivery_address",
    "receiving_warehouse",
    "contact_name",
    "contact_phone",
)
LINE_FIELD = re.compile(r"^lines-(\d+)-(item|quantity|note)$")


def typed_lines(post) -> list[dict]:
    """The lines as the form has them ({"index", "item", "quantity", "note"}), in their order."""
    rows: dict[int, dict] = {}
    for name, value in post.items():
        match = LINE_FIELD.match(name)
        if match and int(match[1]) < MAX_LINES * 2:
            rows.setdefault(int(match[1]), {"index": int(match[1])})[match[2]] = value.strip()
    return [rows[index] for index in sorted(rows)]


def request_payload(values: dict, lines: list[dict]) -> FormPayload:
    """The create API's body: the filled fields, and every line with anything in it (an empty
    line is no line)."""
    body = {name: value for name, value in values.items() if value != ""}
    filled = [line for line in lines if line.get("item") or line.get("quantity") or line.get("note")]
    body["lines"] = [
        {key: line[key] for key in ("item", "quantity", "note") if line.get(key, "") != ""} for line in filled
    ]
    return FormPayload(body, "lines", [line["index"] for line in filled])


@creator_required(RESOURCE)
def supply_request_new(request):
    membership = membership_of(request.user)
    warehouses = list(Warehouse.objects.filter(organisation_id=membership.organisation_id).order_by("code"))
    values = {"urgency": Urgency.URGENT, "receiving_warehouse": warehouses[0].code if warehouses else ""}
    if warehouses:
        values["delivery_address"] = warehouses[0].address
    lines: list[dict] = [{"index": 0}]
    errors = None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        lines = typed_lines(request.POST) or [{"index": 0}]
        if "add_line" in request.POST:  # without JavaScript: one more empty line, nothing sent
            lines.append({"index": lines[-1]["index"] + 1})
        else:
            form = request_payload(values, lines)
            serializer = SupplyRequestCreateSerializer(data=form.payload, context={"request": request})
            try:
                serializer.is_valid(raise_exception=True)
                case = supply_request_create(by=request.user, **serializer.validated_data)
            except ValidationError as exc:
                errors = form_errors(exc.detail, form)
            except Invalid as exc:
                errors = form_errors(exc.details or {"non_field_errors": [str(exc.message)]}, form)
            except DomainError as exc:
                errors = form_errors({"non_field_errors": [str(exc.message)]}, form)
            else:
                messages.success(request, _("Request %(reference)s filed.") % {"reference": case.reference})
                return redirect("case-detail", resource=RESOURCE, pk=case.pk)
    items = list(SupplyItem.objects.filter(active=True).order_by("category", "code"))
    return render(
        request,
        "supplies/request_form.html",
        {
            "values": values,
            "lines": [{**line, "errors": errors.rows.get(line["index"], {}) if errors else {}} for line in lines],
            "next_index": max(line["index"] for line in lines) + 1,
            "errors": errors,
            "items": items,
            "urgencies": Urgency.choices,
            "warehouses": warehouses,
            "max_lines": MAX_LINES,
        },
    )
