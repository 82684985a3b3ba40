"""The API of F1 health codes (`/api/v1/health-codes/…`):

- `lists/` — GET the red/yellow lists the user's region uploaded (all of them for the Office);
  POST a region's list of a day: multipart (`file`: CSV with columns id_number and colour,
  UTF-8 with or without BOM, or GBK; `list_date`; `skip_invalid`) or JSON (`list_date`,
  `entries`: [{"id_number", "colour"}], `skip_invalid`). 201 with the report when loaded, 200
  when that day's same content is held already, 400 `invalid_rows` with the rows' errors;
- `lookup/` — POST {"id_number"}: the person's colour from each region's latest list (never in
  a URL, where logs would keep it);
- `tokens/` — POST {"id_number", "name", "colour", "valid_hours"}: a signed status token from the
  region's code service, verified at `/api/v1/credentials/verify/`.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.serializers import StrictSerializer
from coordination.mechanisms.health_codes.ingest import batch_rows, csv_rows, list_ingest
from coordination.mechanisms.health_codes.lookups import colour_of
from coordination.mechanisms.health_codes.models import CodeList, Colour
from coordination.mechanisms.health_codes.tokens import status_token_issue
from coordination.models import Organisation
from coordination.pii import idcard
from coordination.workflow.access import membership_of

K = Organisation.Kind
# Who keeps a region's lists and issues its tokens: its health commission and its liaison office.
LIST_KEEPERS = (K.HEALTH_COMMISSION, K.LIAISON_OFFICE)


def list_keeper(user):
    """The user's organisation when it keeps its region's health codes; 403 otherwise."""
    membership = membership_of(user)
    if membership is None or membership.organisation.kind not in LIST_KEEPERS or not membership.organisation.region_id:
        raise PermissionDenied
    return membership.organisation


def checkpoint(user):
    """Anyone of a platform organisation may look a person up (transport, hospitals, offices)."""
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied
    return membership.organisation


class IDNumberField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=32, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return idcard.validate_id_number(value)
        except idcard.InvalidIDNumber as exc:
            raise serializers.ValidationError(str(exc)) from None


class UploadSerializer(StrictSerializer):
    list_date = serializers.DateField(label=_("List date"))
    file = serializers.FileField(label=_("CSV file"), required=False)
    entries = serializers.ListField(
        label=_("Entries"), child=serializers.JSONField(), required=False, max_length=settings.HEALTH_CODE_BATCH_MAX
    )
    skip_invalid = serializers.BooleanField(label=_("Load the valid rows and skip the others"), default=False)

    def validate_list_date(self, value):
        today = timezone.localdate()
        if not (today.toordinal() - 30 <= value.toordinal() <= today.toordinal()):
            raise serializers.ValidationError(_("A list is of today or of one of the last 30 days."))
        return value

    def validate(self, attrs):
        if ("file" in attrs) == ("entries" in attrs):
            raise serializers.ValidationError({"file": [_("Send either a CSV file or a list of entries.")]})
        return attrs


def list_row(code_list: CodeList) -> dict:
    return {
        "id": code_list.pk,
        "region": code_list.region_id,
        "list_date": code_list.list_date.isoformat(),
        "records": code_list.records,
        "red": code_list.red,
        "yellow": code_list.yellow,
        "duplicates": code_list.duplicates,
        "skipped": code_list.skipped,
        "sha256": code_list.sha256,
        "uploaded_at": code_list.uploaded_at,
        "superseded_at": code_list.superseded_at,
    }


class CodeListsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get(self, request):
        membership = membership_of(request.user)
        if membership is None:
            raise PermissionDenied
        lists = CodeList.objects.all()
        if not membership.organisation.is_cooperation_office:
            lists = lists.filter(region_id=membership.organisation.region_id or "-")
        return Response({"results": [list_row(item) for item in lists[:100]]})

    def post(self, request):
        organisation = list_keeper(request.user)
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "file" in data:
            rows, digest = csv_rows(data["file"])
        else:
            rows, digest = batch_rows(data["entries"]), None
        ingested = list_ingest(
            by=request.user,
            organisation=organisation,
            region=organisation.region.province,
            list_date=data["list_date"],
            rows=rows,
            digest=digest,
            skip_invalid=data["skip_invalid"],
        )
        return Response(
            {**list_row(ingested.code_list), "created": ingested.created, "superseded": ingested.superseded},
            status=status.HTTP_201_CREATED if ingested.created else status.HTTP_200_OK,
        )


class LookupSerializer(StrictSerializer):
    id_number = IDNumberField(label=_("ID number"))


class LookupView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        checkpoint(request.user)
        body = LookupSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        return Response(
            {
                "id_number": idcard.mask(body.validated_data["id_number"]),
                **colour_of(body.validated_data["id_number"]).as_dict(),
            }
        )


class TokenSerializer(StrictSerializer):
    id_number = IDNumberField(label=_("ID number"))
    name = serializers.CharField(label=_("Full name"), max_length=64)
    colour = serializers.ChoiceField(label=_("Colour"), choices=Colour.choices)
    valid_hours = serializers.IntegerField(
        label=_("Valid for (hours)"), min_value=1, max_value=settings.HEALTH_CODE_TOKEN_MAX_HOURS, default=24
    )

    def validate_name(self, value):
        value = value.strip()
        if not value or "\x00" in value:
            raise serializers.ValidationError(_("Enter the person's name."))
        return value


class TokensView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        organisation = list_keeper(request.user)
        body = TokenSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        return Response(status_token_issue(organisation=organisation, **body.validated_data), status=201)
