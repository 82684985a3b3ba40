"""What F2 requests and replies carry, validated field by field (each error names its field):
the request's own fields (created, or corrected on resubmitting), and the suppliers a reply
names."""

import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coordination.api.serializers import StrictSerializer
from coordination.models import Region
from coordination.pii import idcard
from supplies.chain.suppliers import SupplierFound
from supplies.chain.validation import hs_code_clean, uscc_clean

# No single need is larger than this: a billion units is a typing error, not an order.
MAX_QUANTITY = Decimal(1_000_000_000)
MAX_EMPLOYEES = 1_000_000
MAX_SUPPLIERS = 50


def quantity_field(**kwargs) -> serializers.DecimalField:
    """Positive, at most three decimal places (a numeric(14, 3) column), never absurd."""
    return serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0.001"), max_value=MAX_QUANTITY, **kwargs
    )


def quantity_text(value: Decimal) -> str:
    """20000, 12.5: without trailing zeros or an exponent."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def not_in_the_past(value, message):
    if value < timezone.localdate():
        raise serializers.ValidationError(message)
    return value


# --- the request's own fields ------------------------------------------------------------------


class RequestFields(StrictSerializer):
    """The fields of a request its originator gives and may correct: the enterprise, what it
    needs and by when, what stands still, the supplier if known, whom to call."""

    requester_name = serializers.CharField(label=_("Requesting enterprise"), max_length=200)
    requester_credit_code = serializers.CharField(label=_("Unified social credit code"), max_length=18)
    hs_code = serializers.CharField(label=_("HS code"), max_length=16, required=False, allow_blank=True, default="")
    product_description = serializers.CharField(
        label=_("Product or part needed"), max_length=2000, required=False, allow_blank=True, default=""
    )
    quantity = quantity_field(label=_("Quantity"))
    unit = serializers.CharField(label=_("Unit"), max_length=16)
    needed_by = serializers.DateField(label=_("Needed by"))
    blocked_production = serializers.CharField(label=_("Blocked production (product line stopped)"), max_length=2000)
    employees_affected = serializers.IntegerField(label=_("Employees affected"), min_value=1, max_value=MAX_EMPLOYEES)
    supplier_name = serializers.CharField(
        label=_("Supplier (if known)"), max_length=200, required=False, allow_blank=True, default=""
    )
    contact_person = serializers.CharField(label=_("Contact person"), max_length=64)
    contact_phone = serializers.CharField(label=_("Contact phone"), max_length=20)

    def validate_requester_credit_code(self, value):
        try:
            return uscc_clean(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_hs_code(self, value):
        if not value.strip():
            return ""
        try:
            return hs_code_clean(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_needed_by(self, value):
        return not_in_the_past(value, _("The date needed cannot be in the past."))

    def validate_contact_phone(self, value):
        phone = value.strip().replace(" ", "")
        if not idcard.PHONE_PATTERN.match(phone):
            raise serializers.ValidationError(_("Enter a mobile number (11 digits) or a landline with its area code."))
        return phone

    def validate(self, attrs):
        case = self.context.get("case")

        def given(name):
            return attrs[name] if name in attrs else getattr(case, name, "")

        if not given("hs_code") and not given("product_description").strip():
            message = _("Give the HS code or a description of the product (or both).")
            raise serializers.ValidationError({"hs_code": [message], "product_description": [message]})
        return attrs


class RequestCorrection(RequestFields):
    """What the originator may correct when resubmitting a returned request: any of its own
    fields but the supplier's city, which decided where the request went."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required, field.default = False, serializers.empty
        return fields


# --- the reply: the suppliers found -----------------------------------------------------------


class CityField(serializers.CharField):
    """A city of the Delta by its GB/T 2260 code or its Chinese name (苏州市, 苏州); "" for none."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data).strip()
        if not text:
            return ""
        city = Region.objects.cities().filter(code=text).first() or (
            Region.objects.cities().filter(name_zh__in=[text, f"{text}市"]).first()
        )
        if city is None:
            raise serializers.ValidationError(_("No city of the Delta is “%(city)s”.") % {"city": text})
        return city.code


class SupplierEntry(StrictSerializer):
    name = serializers.CharField(label=_("Supplier"), max_length=200)
    city = CityField(label=_("City"), max_length=16, required=False, allow_blank=True, allow_null=True, default="")
    quantity = quantity_field(label=_("Quantity"))
    resumption_date = serializers.DateField(label=_("Resumption date"))

    def validate_city(self, value):
        return value or ""

    def validate_resumption_date(self, value):
        return not_in_the_past(value, _("The resumption date cannot be before today."))


# A line of the page's text area: "name | city | quantity | date" (the city may be left out).
LINE_SEPARATORS = re.compile(r"\s*[|,，\t]\s*")
ENTRY_SEPARATORS = re.compile(r"[\n;；]")


@extend_schema_field(SupplierEntry(many=True))
class SuppliersField(serializers.CharField):
    """The suppliers a reply names: a list of objects (the API) or, from the case page's form
    (which shows a long CharField as a text area — hence a CharField), text with one supplier a
    line, "name | city | quantity | resumption date". At least one; each checked as a
    SupplierEntry, its errors under its position."""

    default_error_messages = {
        "not_a_list": _("Give a list of suppliers."),
        "empty_list": _("Name at least one supplier."),
        "too_many": _("At most {max} suppliers."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10000)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > self.max_length:
                self.fail("max_length", max_length=self.max_length)
            data = self.lines(data)
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty_list")
        if len(data) > MAX_SUPPLIERS:
            self.fail("too_many", max=MAX_SUPPLIERS)
        entries = SupplierEntry(data=data, many=True)
        if not entries.is_valid():
            raise serializers.ValidationError(entries.errors)
        return [
            SupplierFound(
                name=entry["name"],
                city=entry["city"],
                quantity=quantity_text(entry["quantity"]),
                resumption_date=entry["resumption_date"].isoformat(),
            )
            for entry in entries.validated_data
        ]

    def to_representation(self, value):
        return value

    @staticmethod
    def lines(text: str) -> list:
        entries = []
        for number, line in enumerate((line.strip() for line in ENTRY_SEPARATORS.split(text)), start=1):
            if not line:
                continue
            parts = LINE_SEPARATORS.split(line)
            if len(parts) == 3:
                parts.insert(1, "")
            if len(parts) != 4:
                raise serializers.ValidationError(
                    _("Line %(line)s: write name | city | quantity | resumption date.") % {"line": number}
                )
            entries.append(dict(zip(("name", "city", "quantity", "resumption_date"), parts, strict=True)))
        return entries


class SupplierReply(StrictSerializer):
    """The reply of F2: the suppliers found, and a note."""

    suppliers = SuppliersField(label=_("Suppliers found (one a line: name | city | quantity | resumption date)"))
    result = serializers.CharField(label=_("Note"), max_length=10000, required=False, allow_blank=True, default="")
