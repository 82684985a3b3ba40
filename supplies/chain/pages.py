"""The page that files an F2 supply-chain request (the declaration's `new_page`): posted through
the API's create serializer and the create service, errors next to their fields, nothing typed
lost."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from coordination.case_pages import creator_required
from coordination.errors import DomainError, Invalid
from coordination.models import Region
from coordination.workflow.access import membership_of
from supplies.chain.api import SupplyChainRequestCreateSerializer
from supplies.chain.services import supply_chain_request_create
from supplies.pages.forms import FormPayload, form_errors

RESOURCE = "supply-chain-requests"
FIELDS = (
    "title",
    "requester_name",
    "requester_credit_code",
    "hs_code",
    "product_description",
    "quantity",
    "unit",
    "needed_by",
    "blocked_production",
    "employees_affected",
    "supplier_name",
    "supplier_city",
    "contact_person",
    "contact_phone",
)


def supplier_cities(region_id: str | None) -> list[tuple[Region, list[Region]]]:
    """The Delta's cities outside `region_id`, by province (Shanghai is its own only city)."""
    groups: dict[str, tuple[Region, list[Region]]] = {}
    for city in Region.objects.cities().select_related("parent").order_by("code"):
        province = city.province
        if province.code != region_id:
            groups.setdefault(province.code, (province, []))[1].append(city)
    return [groups[code] for code in sorted(groups)]


def request_payload(values: dict) -> FormPayload:
    """The create API's body: the filled fields (an empty field is not sent, as by the API)."""
    return FormPayload({name: value for name, value in values.items() if value != ""})


@creator_required(RESOURCE)
def supply_chain_request_new(request):
    membership = membership_of(request.user)
    values: dict = {}
    errors = None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        form = request_payload(values)
        serializer = SupplyChainRequestCreateSerializer(data=form.payload, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
            case = supply_chain_request_create(by=request.user, **serializer.validated_data)
        except ValidationError as exc:
            errors = form_errors(exc.detail, form)
        except Invalid as exc:
            errors = form_errors(exc.details or {"non_field_errors": [str(exc.message)]}, form)
        except DomainError as exc:
            errors = form_errors({"non_field_errors": [str(exc.message)]}, form)
        else:
            messages.success(request, _("Request %(reference)s filed.") % {"reference": case.reference})
            return redirect("case-detail", resource=RESOURCE, pk=case.pk)
    return render(
        request,
        "supply_chain/request_form.html",
        {
            "values": values,
            "errors": errors,
            "provinces": supplier_cities(membership.organisation.region_id if membership else None),
        },
    )
