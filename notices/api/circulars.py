"""`/api/v1/circulars/`: the circulars a user may see (shared/DESIGN.md §5.1).

GET   circulars/                visible circulars, paginated, fixed query count
POST  circulars/                a new circular (Idempotency-Key): {"draft": true} keeps it a draft;
                                else an office head's is signed off and issued, an officer's is
                                submitted for sign-off (or issued first where its mechanism allows)
GET   circulars/{id}/           one circular: document_number, status, sha256, pdf, verify_url
PATCH circulars/{id}/           change a draft (its organisation's drafters)
GET   circulars/{id}/preview/   a draft's PDF, watermarked 草稿/DRAFT
POST  circulars/{id}/submit/    submit a draft for sign-off
POST  circulars/{id}/sign-off/  签发 ({"comment": …}): the office head signs off, which issues it
                                (or records the sign-off of one issued first, 补签)
POST  circulars/{id}/return/    the office head returns a submitted draft ({"comment": …})
POST  circulars/{id}/issue/     issue a draft: an office head, or an officer where it may go first
POST  circulars/{id}/revoke/    withdraw an issued circular ({"reason": …})
POST  circulars/{id}/retry/     render a failed circular again

Drafts and circulars awaiting sign-off are seen only by their issuing organisation (404 to
anybody else).
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.api.cases import OrganisationBriefSerializer
from coordination.api.idempotency import idempotent
from coordination.models import Case, Organisation
from notices.circulars.selectors import circular_for_user, visible_circulars
from notices.circulars.services import (
    can_issue,
    circular_actions,
    circular_draft_create,
    circular_issue,
    circular_preview,
    circular_retry,
    circular_return,
    circular_revoke,
    circular_sign_off,
    circular_submit,
    circular_update,
    display_code,
    download_path,
    verify_url,
)
from notices.models.circulars import Circular


class CircularSerializer(serializers.ModelSerializer):
    issuer = OrganisationBriefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    addressees = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    case = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    verification_code = serializers.SerializerMethodField()
    supersedes = serializers.SlugRelatedField(slug_field="document_number", read_only=True)
    signed_off_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Circular
        fields = [
            "id",
            "document_number",
            "status",
            "status_label",
            "title",
            "issuer",
            "addressee_line",
            "addressees",
            "signed_on",
            "case",
            "supersedes",
            "signed_off_by",
            "signed_off_at",
            "sign_off_comment",
            "sign_off_due",
            "sha256",
            "content_sha256",
            "verification_code",
            "signing_key_id",
            "pdf",
            "pdf_size",
            "page_count",
            "verify_url",
            "revoked_at",
            "revocation_reason",
            "failure_reason",
            "created_at",
            "issued_at",
        ]
        read_only_fields = fields

    def get_case(self, circular) -> dict | None:
        if not circular.content_type_id:
            return None
        case = circular.case
        return {
            "model": circular.content_type.model_class()._meta.label_lower,
            "id": circular.object_id,
            "reference": getattr(case, "reference", None),
        }

    def get_pdf(self, circular) -> str | None:
        if circular.status != Circular.Status.ISSUED:
            return None
        return self.context["request"].build_absolute_uri(download_path(circular))

    def get_verify_url(self, circular) -> str | None:
        return verify_url(circular.verification_code) if circular.verification_code else None

    def get_verification_code(self, circular) -> str | None:
        return display_code(circular.verification_code) if circular.verification_code else None


class CircularDetailSerializer(CircularSerializer):
    actions = serializers.SerializerMethodField()

    def get_actions(self, circular) -> list[str]:
        return circular_actions(self.context["request"].user, circular)

    class Meta(CircularSerializer.Meta):
        fields = [
            *CircularSerializer.Meta.fields,
            "actions",
            "body",
            "attachments",
            "signature",
            "note",
            "copy_to",
            "printed_by",
            "printed_on",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(label=_("Comment"), max_length=500, required=False, default="", allow_blank=True)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason"), max_length=500)


class CircularCreateSerializer(serializers.Serializer):
    title = serializers.CharField(label=_("Title"), max_length=120)
    addressees = serializers.SlugRelatedField(
        label=_("Addressee organisations"),
        slug_field="code",
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        error_messages={"does_not_exist": _("No organisation has the code “{value}”.")},
    )
    addressee_line = serializers.CharField(label=_("Addressees as printed"), max_length=300, required=False, default="")
    body = serializers.CharField(label=_("Body"), max_length=50000)
    attachments = serializers.ListField(
        label=_("Attachments"), child=serializers.CharField(max_length=120), required=False, default=list, max_length=20
    )
    signature = serializers.CharField(label=_("Signature"), max_length=60, required=False, default="")
    signed_on = serializers.DateField(label=_("Date"), required=False, allow_null=True, default=None)
    note = serializers.CharField(label=_("Note"), max_length=200, required=False, default="", allow_blank=True)
    copy_to = serializers.CharField(label=_("Copy to"), max_length=300, required=False, default="", allow_blank=True)
    printed_by = serializers.CharField(label=_("Printing organisation"), max_length=60, required=False, default="")
    printed_on = serializers.DateField(label=_("Printing date"), required=False, allow_null=True, default=None)
    case_model = serializers.CharField(label=_("Case kind (app_label.model)"), required=False, default="")
    case_id = serializers.IntegerField(label=_("Case"), required=False, allow_null=True, default=None)
    draft = serializers.BooleanField(label=_("Keep as a draft"), required=False, default=False)

    def validate(self, data):
        if bool(data["case_model"]) != (data["case_id"] is not None):
            raise serializers.ValidationError(_("Give both case_model and case_id, or neither."))
        if not data.get("addressees") and not data["addressee_line"].strip():
            raise serializers.ValidationError({"addressees": _("Name at least one addressee.")})
        if data["case_model"]:
            try:
                model = apps.get_model(data["case_model"])
            except (LookupError, ValueError):
                model = None
            if model is None or not issubclass(model, Case):
                raise serializers.ValidationError({"case_model": _("Not a kind of case.")})
            data["case"] = model(pk=data["case_id"])
        return data


class CircularUpdateSerializer(CircularCreateSerializer):
    """What a drafter may change in a draft: the fields of a new circular, each optional, but
    not its case or whether it is a draft; a field it does not name is refused, not ignored."""

    NOT_CHANGED = ("case_model", "case_id", "draft")

    def get_fields(self):
        fields = super().get_fields()
        for name in self.NOT_CHANGED:
            fields.pop(name)
        for field in fields.values():
            field.required, field.default, field.allow_null = False, serializers.empty, False
        return fields

    def validate(self, data):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
        if not data:
            raise serializers.ValidationError(_("Name at least one field to change."))
        return data


class CircularViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Circulars (通知/通报) in the GB/T 9704-2012 format, rendered as PDF off the request path."""

    serializer_class = CircularSerializer
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["status"]

    def get_queryset(self):
        """`?case_model=<app_label.model>&case_id=12`: the circulars of one case."""
        circulars = visible_circulars(self.request.user)
        case_model, case_id = self.request.query_params.get("case_model"), self.request.query_params.get("case_id")
        if case_model and case_id and case_id.isdigit() and case_model.count(".") == 1:
            app_label, model = case_model.lower().split(".")
            circulars = circulars.filter(
                content_type__app_label=app_label, content_type__model=model, object_id=int(case_id)
            )
        return (
            circulars.select_related("issuer", "content_type", "supersedes", "signed_off_by")
            .prefetch_related("addressees", "case")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return CircularCreateSerializer
        if self.action == "retrieve":
            return CircularDetailSerializer
        return CircularSerializer

    def _detail(self, circular, status_code=status.HTTP_200_OK) -> Response:
        circular = self.get_queryset().get(pk=circular.pk)
        return Response(
            CircularDetailSerializer(circular, context=self.get_serializer_context()).data, status=status_code
        )

    def retrieve(self, request, pk=None):
        return self._detail(circular_for_user(request.user, pk))

    @extend_schema(request=CircularCreateSerializer, responses={201: CircularDetailSerializer})
    @idempotent
    def create(self, request):
        if not can_issue(request.user):
            raise PermissionDenied
        serializer = CircularCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        keep_draft = data.pop("draft")
        data.pop("case_model")
        data.pop("case_id")
        data.setdefault("case", None)
        data["addressees"] = data.get("addressees", [])
        if keep_draft:
            circular = circular_draft_create(by=request.user, **data)
        else:
            circular = circular_issue(by=request.user, **data)
        return self._detail(circular, status.HTTP_201_CREATED)

    @extend_schema(request=CircularUpdateSerializer, responses={200: CircularDetailSerializer})
    def partial_update(self, request, pk=None):
        circular_for_user(request.user, pk)  # 404 before validating what it cannot see
        serializer = CircularUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._detail(circular_update(by=request.user, circular_id=pk, **serializer.validated_data))

    @extend_schema(request=None, responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        pdf = circular_preview(by=request.user, circular_id=pk)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="draft-{int(pk)}.pdf"'
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses={200: CircularDetailSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, pk=None):
        return self._detail(circular_submit(by=request.user, circular_id=pk))

    @extend_schema(request=CommentSerializer, responses={200: CircularDetailSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off")
    @idempotent
    def sign_off(self, request, pk=None):
        circular_for_user(request.user, pk)
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(circular_sign_off(by=request.user, circular_id=pk, **serializer.validated_data))

    @extend_schema(request=CommentSerializer, responses={200: CircularDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_drafter(self, request, pk=None):
        circular_for_user(request.user, pk)
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(circular_return(by=request.user, circular_id=pk, **serializer.validated_data))

    @extend_schema(request=None, responses={200: CircularDetailSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request, pk=None):
        draft = circular_for_user(request.user, pk)
        return self._detail(circular_issue(by=request.user, draft=draft))

    @extend_schema(request=RevokeSerializer, responses={200: CircularDetailSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        circular_for_user(request.user, pk)
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(circular_revoke(by=request.user, circular_id=pk, **serializer.validated_data))

    @extend_schema(request=None, responses={200: CircularDetailSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._detail(circular_retry(by=request.user, circular_id=pk))
