"""`/api/v1/tracing-letters/`: M1 close-contact tracing letters between regions.

Beyond the generic case resource: creating takes the persons as JSON (`persons`) or an uploaded
CSV/XLSX (`file`, multipart, with `import_mode` "all" or "valid_rows"); `import-check/` reports
a file row by row without creating anything; `import-template/?type=csv|xlsx` is the template;
per letter `unmask/` (the full numbers, audited) and `persons/csv/` (masked). ID and phone
numbers are masks in every other response; only the sending and receiving regions (and the
Office) see a letter at all (404 otherwise).
"""

from datetime import timedelta

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from coordination.api.cases import (
    CaseDetailSerializer,
    CaseListSerializer,
    CaseViewSet,
    TransitionRequestSerializer,
)
from coordination.api.idempotency import idempotent
from coordination.errors import Invalid
from coordination.mechanisms.tracing_letters import importing, services
from coordination.mechanisms.tracing_letters.models import (
    IndexCaseStatus,
    Outcome,
    PersonState,
    TestResult,
    TracedPerson,
    TracingLetter,
)
from coordination.mechanisms.tracing_letters.persons import Cities
from coordination.models import Organisation, Region
from coordination.pii.text import mask_text
from coordination.workflow.access import case_for_user, membership_of


class TracedPersonSerializer(serializers.ModelSerializer):
    """A person as everyone sees them: the numbers masked (full ones only through `unmask/`)."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    city = serializers.CharField(source="city_id", read_only=True)
    assigned_city = serializers.CharField(source="assigned_city_id", read_only=True, allow_null=True)
    moved_to = serializers.CharField(source="moved_to_id", read_only=True, allow_null=True)
    forwarded_in = serializers.SerializerMethodField()

    class Meta:
        model = TracedPerson
        fields = [
            "number", "name", "id_kind", "id_number", "phone", "address", "city", "relation",
            "exposure_date", "exposure_place", "state", "state_label", "version", "assigned_city",
            "test_result", "tested_on", "note", "replied_at", "moved_to", "forwarded_in",
        ]  # fmt: skip
        read_only_fields = fields

    def get_forwarded_in(self, person) -> dict | None:
        letter = person.forwarded_in
        return {"id": letter.pk, "reference": letter.reference} if letter else None


def _region_code(value) -> str | None:
    return value.pk if value is not None else None


class TracingLetterSerializer(CaseListSerializer):
    sender_region = serializers.CharField(source="sender_region_id", read_only=True)
    addressee_region = serializers.CharField(source="addressee_region_id", read_only=True)
    open_person_count = serializers.IntegerField(read_only=True)

    class Meta(CaseListSerializer.Meta):
        model = TracingLetter
        fields = [
            *CaseListSerializer.Meta.fields,
            "sender_region",
            "addressee_region",
            "index_case_status",
            "forwarded_from",
            "person_count",
            "answered_count",
            "open_person_count",
        ]
        read_only_fields = fields


DETAIL_PERSONS = 500


class TracingLetterDetailSerializer(CaseDetailSerializer, TracingLetterSerializer):
    persons = serializers.SerializerMethodField()
    forwards = serializers.SerializerMethodField()
    import_report = serializers.SerializerMethodField()

    class Meta(TracingLetterSerializer.Meta):
        fields = [
            *TracingLetterSerializer.Meta.fields,
            "allowed_transitions",
            "participants",
            "audit",
            "index_case_summary",
            "result",
            "replied_at",
            "return_reason",
            "closed_at",
            "time_limit",
            "personal_data_purged_at",
            "persons",
            "forwards",
            "import_report",
        ]
        read_only_fields = fields

    def get_persons(self, letter) -> list[dict]:
        """The first DETAIL_PERSONS persons; `persons/` pages through them all."""
        rows = letter.persons.select_related("forwarded_in").order_by("number")[:DETAIL_PERSONS]
        return TracedPersonSerializer(rows, many=True).data

    def get_forwards(self, letter) -> list[dict]:
        return [
            {"id": f.pk, "reference": f.reference, "state": f.state, "addressee_region": f.addressee_region_id}
            for f in letter.forwards.order_by("id")
        ]

    def get_import_report(self, letter) -> dict | None:
        return getattr(letter, "import_report", None)


class TracingLetterCreateSerializer(serializers.Serializer):
    title = serializers.CharField(label=gettext_lazy("Title"), max_length=200)
    addressee = serializers.SlugRelatedField(
        label=gettext_lazy("Addressee"),
        slug_field="code",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE),
        error_messages={"does_not_exist": gettext_lazy("No liaison office has the code “{value}”.")},
    )
    index_case_status = serializers.ChoiceField(label=gettext_lazy("Index case"), choices=IndexCaseStatus.choices)
    index_case_summary = serializers.CharField(label=gettext_lazy("About the index case"), max_length=4000)
    persons = serializers.ListField(
        label=gettext_lazy("Persons"), child=serializers.DictField(), required=False, max_length=10_000
    )
    file = serializers.FileField(label=gettext_lazy("Import file (CSV or XLSX)"), required=False)
    import_mode = serializers.ChoiceField(
        label=gettext_lazy("When some rows are not valid"),
        choices=services.ImportMode.choices,
        default=services.ImportMode.ALL,
    )
    time_limit_minutes = serializers.IntegerField(
        label=gettext_lazy("Time limit (minutes)"), required=False, min_value=30, max_value=7 * 24 * 60
    )

    def validate_addressee(self, addressee):
        membership = membership_of(self.context["request"].user)
        if (
            membership
            and membership.organisation.region_id
            and addressee.region_id == membership.organisation.region_id
        ):
            raise serializers.ValidationError(_("A letter is addressed to another region's liaison office."))
        return addressee

    def validate(self, attrs):
        if not attrs.get("persons") and attrs.get("file") is None:
            raise serializers.ValidationError({"persons": [_("List the persons, or import them from a file.")]})
        if attrs.get("persons") and attrs.get("file") is not None:
            raise serializers.ValidationError({"file": [_("Either list the persons or import a file, not both.")]})
        minutes = attrs.pop("time_limit_minutes", None)
        attrs["time_limit"] = timedelta(minutes=minutes) if minutes else None
        return attrs


# --- the payloads of the letter's own transitions --------------------------------------------------


class _AddresseeCity(serializers.Field):
    """A city of the letter's addressed region, by code or name."""

    def to_representation(self, value):
        return value.pk

    def to_internal_value(self, data):
        text = str(data).strip()[:32]
        case = self.parent.context["case"]
        city = Cities(case.addressee_region).find(text)
        if city is None:
            raise serializers.ValidationError(_("Name a city of the addressed region."))
        return city


class _OtherRegion(serializers.Field):
    """Another of the four regions (by GB/T 2260 code) than the letter's addressed one."""

    def to_representation(self, value):
        return value.pk

    def to_internal_value(self, data):
        code = str(data).strip()[:6]
        region = Region.objects.provincial().filter(code=code).first()
        if region is None:
            raise serializers.ValidationError(_("Name one of the regions by its code (310000, 320000…)."))
        if region.pk == self.parent.context["case"].addressee_region_id:
            raise serializers.ValidationError(_("Forward to another region than your own."))
        return region


class AssignPayload(serializers.Serializer):
    city = _AddresseeCity(label=gettext_lazy("City"))
    persons = serializers.ListField(
        label=gettext_lazy("Persons (numbers; empty: every unassigned one)"),
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=10_000,
    )


class PersonReplyPayload(serializers.Serializer):
    person = serializers.IntegerField(label=gettext_lazy("Person (number)"), min_value=1)
    outcome = serializers.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices)
    test_result = serializers.ChoiceField(
        label=gettext_lazy("Test result"), choices=TestResult.choices, required=False, allow_blank=True
    )
    tested_on = serializers.DateField(label=gettext_lazy("Tested on"), required=False, allow_null=True)
    moved_to = _OtherRegion(label=gettext_lazy("Moved on to (region code)"), required=False)
    note = serializers.CharField(label=gettext_lazy("Note"), required=False, allow_blank=True, max_length=2000)
    person_version = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if attrs["outcome"] == Outcome.TESTED and not attrs.get("test_result"):
            raise serializers.ValidationError({"test_result": [_("Give the test result.")]})
        if attrs["outcome"] == Outcome.MOVED_ON and not attrs.get("moved_to"):
            raise serializers.ValidationError({"moved_to": [_("Say which region the person moved on to.")]})
        return attrs


class ForwardPayload(serializers.Serializer):
    persons = serializers.ListField(
        label=gettext_lazy("Persons (numbers)"), child=serializers.IntegerField(min_value=1), max_length=10_000
    )
    region = _OtherRegion(label=gettext_lazy("Region (code)"))
    note = serializers.CharField(label=gettext_lazy("Note"), required=False, allow_blank=True, max_length=2000)

    def validate_persons(self, value):
        if not value:
            raise serializers.ValidationError(_("Name at least one person."))
        return sorted(set(value))


PAYLOADS = {"assign_persons": AssignPayload, "reply_person": PersonReplyPayload, "forward_persons": ForwardPayload}


class ImportCheckSerializer(serializers.Serializer):
    addressee = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE)
    )
    file = serializers.FileField()


class PersonSearchSerializer(serializers.Serializer):
    id_number = serializers.CharField(required=False, max_length=32)
    phone = serializers.CharField(required=False, max_length=20)

    def validate(self, attrs):
        if not attrs.get("id_number") and not attrs.get("phone"):
            raise serializers.ValidationError({"id_number": [_("Give an ID or passport number, or a phone number.")]})
        return attrs


class UnmaskSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    persons = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=10_000)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def request_id_of(request) -> str:
    return (request.headers.get("X-Request-ID") or "").strip()[:64]


def payload_kept(serializer_class, payload: dict) -> dict:
    """The payload's fields the transition's serializer declares, their texts masked."""
    if serializer_class is None:
        return {}
    fields = serializer_class().fields
    return {
        key: mask_text(value) if isinstance(value, str) else value for key, value in payload.items() if key in fields
    }


class TracingLetterViewSet(CaseViewSet):
    """Close-contact tracing letters (协查函)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return super().get_queryset().select_related("sender_region", "addressee_region")

    @extend_schema(
        request=TransitionRequestSerializer,
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, description="transition name"),
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
            OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[A-Za-z0-9_\-]+)")
    def transition(self, request, pk=None, name=None):
        """The generic transition, its payload kept to the fields the transition takes and its
        texts masked first: the engine keeps the request's payload in the audit trail as sent,
        so a number in a field nobody reads would otherwise be stored there in full."""
        if type(request.data) is dict and isinstance(request.data.get("payload"), dict):
            request.data["payload"] = payload_kept(self.mechanism.payload_for(name), request.data["payload"])
        return CaseViewSet.transition(self, request, pk=pk, name=name)

    @idempotent
    def create(self, request):
        serializer = TracingLetterCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        letter = services.tracing_letter_create(by=request.user, **serializer.validated_data)
        return self._detail_response(letter, status.HTTP_201_CREATED)

    @extend_schema(request=ImportCheckSerializer)
    @action(detail=False, methods=["post"], url_path="import-check")
    def import_check(self, request):
        """A file checked row by row against the addressee's region, nothing created."""
        if not self.mechanism.may_create.allows(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        body = ImportCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cities = Cities(body.validated_data["addressee"].region)
        report = importing.import_check(body.validated_data["file"], cities=cities)
        return Response(report.as_dict())

    @action(detail=False, methods=["get"], url_path="import-template")
    def import_template(self, request):
        kind = request.query_params.get("type", "csv")
        if kind == "xlsx":
            response = HttpResponse(
                importing.template_xlsx(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        elif kind == "csv":
            response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
        else:
            raise Invalid(_("The template comes as csv or xlsx."), details={"format": [_("Choose csv or xlsx.")]})
        response["Content-Disposition"] = f'attachment; filename="tracing-letter-persons.{kind}"'
        return response

    @extend_schema(request=PersonSearchSerializer, responses=TracingLetterSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request):
        """The letters you see that list a person, found by the keyed hash of their ID or phone
        number (POSTed, so that the number stays out of URLs and access logs)."""
        from coordination.mechanisms.tracing_letters.persons import id_hash, phone_hash

        body = PersonSearchSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        persons = TracedPerson.objects.all()
        if body.validated_data.get("id_number"):
            persons = persons.filter(id_number_hash=id_hash(body.validated_data["id_number"].strip().upper()))
        if body.validated_data.get("phone"):
            persons = persons.filter(phone_hash=phone_hash(body.validated_data["phone"].strip().replace(" ", "")))
        letters = self.get_queryset().filter(pk__in=persons.values("letter_id"))
        page = self.paginate_queryset(letters)
        return self.get_paginated_response(TracingLetterSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=UnmaskSerializer)
    @action(detail=True, methods=["post"], url_path="unmask")
    def unmask(self, request, pk=None):
        """The full numbers, for holders of the unmask permission who see the letter, with a
        stated `reason`; each unmasking recorded with the user, organisation, IP and request id."""
        case_for_user(request.user, TracingLetter, pk)  # 404 before anything else
        body = UnmaskSerializer(data=request.data if isinstance(request.data, dict) else {})
        if not services.can_unmask(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        body.is_valid(raise_exception=True)
        result = services.tracing_letter_unmask(
            by=request.user,
            pk=pk,
            reason=body.validated_data["reason"],
            persons=body.validated_data.get("persons"),
            ip_address=client_ip(request),
            request_id=request_id_of(request),
        )
        response = Response(result)
        response["X-Request-ID"] = result["request_id"]
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(responses=TracedPersonSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="persons")
    def persons(self, request, pk=None):
        """The letter's persons, paginated, masked; `?state=` filters by follow-up state."""
        letter = case_for_user(request.user, TracingLetter, pk)
        rows = letter.persons.select_related("forwarded_in").order_by("number")
        state = request.query_params.get("state")
        if state:
            rows = rows.filter(state=state)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(TracedPersonSerializer(page, many=True).data)

    @action(detail=True, methods=["get"], url_path="persons/csv")
    def persons_csv(self, request, pk=None):
        """The letter's persons as CSV (masked, cells escaped against formulas)."""
        letter = case_for_user(request.user, TracingLetter, pk)
        from coordination.mechanisms.tracing_letters.exports import persons_csv

        response = HttpResponse(persons_csv(letter), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{letter.reference}-persons.csv"'
        return response


__all__ = ["PAYLOADS", "PersonState"]
