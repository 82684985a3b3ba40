"""The generic case API every mechanism's resource is built from (shared/DESIGN.md §5.1):

GET  {resource}/                      visible cases, paginated, fixed query count
POST {resource}/                      create (Idempotency-Key)
GET  {resource}/{id}/                 reference, state, version, allowed_transitions, participants, audit
POST {resource}/{id}/transitions/{n}/ fire a transition (If-Match or "version"; Idempotency-Key)
POST {resource}/{id}/read/              a person read the case (an addressee's read receipt)
GET  {resource}/graph/, {id}/graph/     the transition graph (SVG)

Every registered mechanism gets this resource (`viewset_for`), configured by its declaration:
serializers, create service, who may create (`DeclaredPermission`), and the extra actions of
its own viewset when it declares one.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.api.idempotency import idempotent
from coordination.api.serializers import StrictSerializer
from coordination.errors import DomainError
from coordination.models import AuditEntry, Organisation, Participant, Receipt
from coordination.workflow.access import case_for_user, visible_cases
from coordination.workflow.engine import allowed_transitions, transition_fire
from coordination.workflow.graph import transition_graph_svg
from coordination.workflow.mechanisms import Mechanism
from coordination.workflow.opening import case_open
from coordination.workflow.patterns.notice import receipts_of


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name_zh", "name_en", "kind", "region"]


class ParticipantSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer()

    class Meta:
        model = Participant
        fields = ["organisation", "role", "joined_at"]


class ReceiptSerializer(serializers.ModelSerializer):
    """An addressee's receipt: an item with its own version (send it as `version` with an
    acknowledgement or objection)."""

    organisation = OrganisationBriefSerializer()

    class Meta:
        model = Receipt
        fields = ["id", "organisation", "state", "version", "read_at", "acknowledged_at", "objection"]


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


class NoticeDetailSerializer(CaseDetailSerializer):
    """The detail of a notice-with-receipts case: every addressee's receipt."""

    receipts = serializers.SerializerMethodField()

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "receipts"]
        read_only_fields = fields

    def get_receipts(self, case) -> list[dict]:
        return ReceiptSerializer(receipts_of(case).order_by("id"), many=True).data


class TransitionRequestSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    payload = serializers.JSONField(required=False, default=dict)
    version = serializers.IntegerField(required=False, min_value=1)


def _if_match_version(request) -> int | None:
    header = request.headers.get("If-Match")
    if not header:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise DomainError("invalid_if_match", _('If-Match must carry the case version, e.g. "3".'))
    return int(value)


class DeclaredPermission(permissions.BasePermission):
    """The one permission class of case resources: signed in, and for the actions that create
    cases (the viewset's `creating_actions`) what the mechanism's declaration allows
    (`may_create`). Everything on one case is the engine's: visibility (404) and the
    transition's object permission (403)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if view.action in view.creating_actions:
            return view.mechanism.may_create.allows(request.user)
        return True


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The resource of one registered mechanism (`mechanism`: its declaration); a mechanism's own
    viewset subclasses this to add actions or narrow the list."""

    mechanism: type[Mechanism] = None
    permission_classes = [DeclaredPermission]
    creating_actions: tuple[str, ...] = ("create",)  # a mechanism's viewset adds its own (a batch)
    lookup_value_regex = r"[0-9]+"

    @property
    def model(self):
        return self.mechanism.model

    @property
    def filterset_fields(self):
        return list(self.mechanism.filters)

    def get_queryset(self):
        return (
            visible_cases(self.request.user, self.model)
            .select_related("mechanism", "originator")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        serializers_ = self.mechanism.serializers
        if self.action == "create":
            return serializers_.create
        if self.action == "retrieve":
            return serializers_.detail
        if self.action == "transition":
            return TransitionRequestSerializer
        return serializers_.row

    def _detail_response(self, case, status_code=status.HTTP_200_OK):
        data = self.mechanism.serializers.detail(case, context=self.get_serializer_context()).data
        response = Response(data, status=status_code)
        response["ETag"] = f'"{case.version}"'
        return response

    def retrieve(self, request, pk=None):
        # An integrating system's GET opens the case (logged where the mechanism logs openings)
        # but does not read it for a person: no read receipt (POST read/ does that).
        return self._detail_response(case_open(request.user, self.model, pk, read=False, channel="api"))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        """A person read the case: an addressee's receipt becomes read (once, audited, the
        originator told). Idempotent."""
        return self._detail_response(case_open(request.user, self.model, pk, read=True, channel="api"))

    @idempotent
    def create(self, request):
        create = self.mechanism.serializers.create
        if create is None:
            raise DomainError("not_creatable", _("Cases of this kind are not created through the API."), 405)
        serializer = create(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case = self.mechanism.create(by=request.user, **serializer.validated_data)
        return self._detail_response(case, status.HTTP_201_CREATED)

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
            raise DomainError("invalid", _("The request body must be a JSON object."))
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


def viewset_for(declaration: type[Mechanism]) -> type[CaseViewSet]:
    """The API resource of a registered mechanism: its own viewset, or the generic one."""
    base = declaration.viewset or CaseViewSet
    return type(f"{declaration.__name__}ViewSet", (base,), {"mechanism": declaration, "__doc__": base.__doc__})
