"""`/api/v1/allocation-orders/`: the allocation orders (调拨单) of the supply requests a user sees.

GET allocation-orders/           the orders of the requests the user sees (requester, pledgers, the Office)
GET allocation-orders/{id}/      one order
GET allocation-orders/{id}/pdf/  its signed PDF (rendered now if the queued render has not stored it)

An order of a request the user does not see answers 404.
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from coordination.api.cases import OrganisationBriefSerializer
from coordination.verification import verify_url
from supplies.api.common import MemberPermission
from supplies.documents import (
    allocation_order_for_user,
    allocation_order_pdf,
    allocation_orders_visible,
    display_code,
    download_path,
)
from supplies.models import AllocationOrder


class AllocationOrderDocumentSerializer(serializers.ModelSerializer):
    request = serializers.SerializerMethodField()
    issuer = OrganisationBriefSerializer(read_only=True)
    supplier = OrganisationBriefSerializer(read_only=True)
    pledges = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    verification_code = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = AllocationOrder
        fields = [
            "id",
            "document_number",
            "request",
            "issuer",
            "supplier",
            "pledges",
            "year",
            "serial",
            "created_at",
            "verification_code",
            "verify_url",
            "pdf_sha256",
            "signing_key_id",
            "pdf",
        ]
        read_only_fields = fields

    def get_request(self, order) -> dict:
        return {"id": order.request_id, "reference": order.request.reference, "title": order.request.title}

    def get_verification_code(self, order) -> str:
        return display_code(order.verification_code)

    def get_verify_url(self, order) -> str:
        return verify_url(order.verification_code)

    def get_pdf(self, order) -> str:
        """The download URL (it renders the order on first download when it is not signed yet)."""
        return self.context["request"].build_absolute_uri(download_path(order))


class AllocationOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Allocation orders: one per supplying organisation of an allocation, numbered without gaps
    per requesting office and year (苏联防调〔2026〕1号), issued as a signed PDF."""

    serializer_class = AllocationOrderDocumentSerializer
    permission_classes = [MemberPermission]

    def get_queryset(self):
        return allocation_orders_visible(self.request.user).prefetch_related("pledges").order_by("-created_at", "-pk")

    def get_object(self):
        return allocation_order_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, pk=None):
        order, pdf = allocation_order_pdf(by=request.user, pk=pk)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"{order.document_number}.pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["ETag"] = f'"{order.pdf_sha256}"'
        return response
