"""The API of F2 supply-chain requests (`/api/v1/supply-chain-requests/`): what a row, the
detail and a create request carry. The viewset is the engine's generic one
(coordination/api/cases.py); `?supplier_city=320500` filters the list by the supplier's city."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer
from coordination.models import Region
from coordination.workflow.access import membership_of
from supplies.chain.models import SupplyChainRequest
from supplies.chain.payloads import RequestFields
from supplies.chain.services import supplier_city_refusal


class SupplyChainRequestSerializer(CaseListSerializer):
    class Meta(CaseListSerializer.Meta):
        model = SupplyChainRequest
        fields = [
            *CaseListSerializer.Meta.fields,
            "requester_name",
            "hs_code",
            "quantity",
            "unit",
            "needed_by",
            "employees_affected",
            "supplier_city",
            "requester_region",
            "supplier_region",
        ]
        read_only_fields = fields


class SupplyChainRequestDetailSerializer(CaseDetailSerializer):
    class Meta(CaseDetailSerializer.Meta):
        model = SupplyChainRequest
        fields = [
            *CaseDetailSerializer.Meta.fields,
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
            "requester_region",
            "supplier_region",
            "contact_person",
            "contact_phone",
            "suppliers",
            "result",
            "replied_at",
            "return_reason",
            "closed_at",
            "time_limit",
        ]
        read_only_fields = fields


class SupplyChainRequestCreateSerializer(RequestFields):
    """A request, as the requesting region's liaison office files it. Its validated data are
    `supply_chain_request_create`'s keyword arguments."""

    title = serializers.CharField(label=_("Title"), max_length=200, required=False, allow_blank=True, default="")
    supplier_city = serializers.SlugRelatedField(
        label=_("Supplier's city (GB/T 2260 code)"),
        slug_field="code",
        queryset=Region.objects.cities().select_related("parent"),
        error_messages={"does_not_exist": _("No city of the Delta has the code “{value}”.")},
    )

    def validate_supplier_city(self, city):
        membership = membership_of(self.context["request"].user)
        refusal = supplier_city_refusal(city, membership.organisation if membership else None)
        if refusal:
            raise serializers.ValidationError(refusal)
        return city
