"""The generic case API every mechanism's resource is built from (shared/DESIGN.md §5.1):

GET  {resource}/                      visible cases, paginated, fixed query count
POST {resource}/                      create (Idempotency-Key)
GET  {resource}/{id}/                 reference, state, version, allowed_transitions, participants, audit
POST {resource}/{id}/transitions/{n}/ fire a transition (If-Match or "version"; Idempotency-Key)
GET  {resource}/graph/, {id}/graph/     the transition graph (SVG)
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.api.idempotency import idempotent
from coordination.errors import APIError
from coordination.models import AuditEntry, Organisation, Participant
from coordination.workflow.access import case_for_user, visible_cases
from coordination.workflow.engine import allowed_transitions, transition_fire
from coordination.workflow.graph import transition_graph_svg


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name_zh", "name_en", "kind", "region"]


class ParticipantSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer()

    class Meta:
        model = Participant
        fields = ["organisation", "role", "joined_at", "receipt_state", "read_at", "acknowledged_at", "objection"]


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "at",
            "actor",
            "organisation",
            "transition",
            "from_state",
            "to_state",
            "comment",
            "payload",
            "prev_hash",
            "hash",
        ]


class CaseListSerializer(serializers.ModelSerializer):
    """Fields every case shares; a mechanism's serializers extend Meta.fields."""

    originator = OrganisationBriefSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        fields = [
            "id",
            "reference",
            "title",
            "mechanism",
            "state",
            "state_label",
            "version",
            "originator",
            "created_at",
            "updated_at",
            "due_at",
            "is_overdue",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseListSerializer):
    allowed_transitions = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    audit = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "allowed_transitions", "participants", "audit"]
        read_only_fields = fields

    def get_allowed_transitions(self, case) -> list[str]:
        return allowed_transitions(case, self.context["request"].user)

    def get_participants(self, case) -> list[dict]:
        rows = (
            Participant.objects.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk)
            .select_related("organisation")
            .order_by("id")
        )
        return ParticipantSerializer(rows, many=True).data

    def get_audit(self, case) -> list[dict]:
        rows = (
            AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk)
            .select_related("actor")
            .order_by("seq")
        )
        return AuditEntrySerializer(rows, many=True).data


class TransitionRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    payload = serializers.JSONField(required=False, default=dict)
    version = serializers.IntegerField(required=False, min_value=1)


def _if_match_version(request) -> int | None:
    header = request.headers.get("If-Match")
    if not header:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise APIError("invalid_if_match", _('If-Match must carry the case version, e.g. "3".'))
    return int(value)


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Subclass with `model`, `serializer_class` (list), `detail_serializer_class`,
    `create_serializer_class` and `create_case(serializer, user)`."""

    model = None
    detail_serializer_class = CaseDetailSerializer
    create_serializer_class = None
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            visible_cases(self.request.user, self.model)
            .select_related("mechanism", "originator")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return self.create_serializer_class
        if self.action == "retrieve":
            return self.detail_serializer_class
        if self.action == "transition":
            return TransitionRequestSerializer
        return self.serializer_class

    def _detail_response(self, case, status_code=status.HTTP_200_OK):
        data = self.detail_serializer_class(case, context=self.get_serializer_context()).data
        response = Response(data, status=status_code)
        response["ETag"] = f'"{case.version}"'
        return response

    def retrieve(self, request, pk=None):
        return self._detail_response(case_for_user(request.user, self.model, pk))

    @idempotent
    def create(self, request):
        serializer = self.create_serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case = self.create_case(serializer, request.user)
        return self._detail_response(case, status.HTTP_201_CREATED)

    def create_case(self, serializer, user):
        raise NotImplementedError

    @extend_schema(
        request=TransitionRequestSerializer,
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, description="transition name"),
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
            OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[A-Za-z0-9_\-]+)")
    @idempotent
    def transition(self, request, pk=None, name=None):
        if not isinstance(request.data, dict):
            raise APIError("invalid", _("The request body must be a JSON object."))
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = _if_match_version(request) or body.validated_data.get("version")
        case = transition_fire(
            self.model,
            pk,
            name,
            by=request.user,
            data=body.validated_data["payload"],
            comment=body.validated_data["comment"],
            expected_version=version,
        )
        return self._detail_response(case)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="graph")
    def graph(self, request):
        return HttpResponse(transition_graph_svg(self.model), content_type="image/svg+xml")

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="graph")
    def case_graph(self, request, pk=None):
        case = case_for_user(request.user, self.model, pk)
        return HttpResponse(transition_graph_svg(self.model, case.state), content_type="image/svg+xml")
