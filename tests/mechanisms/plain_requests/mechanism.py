from rest_framework import serializers

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer
from coordination.models import Organisation, Participant
from coordination.workflow import mechanisms
from coordination.workflow.engine import case_create
from tests.mechanisms.plain_requests.models import PlainRequest


class Row(CaseListSerializer):
    class Meta(CaseListSerializer.Meta):
        model = PlainRequest


class Detail(CaseDetailSerializer):
    class Meta(CaseDetailSerializer.Meta):
        model = PlainRequest
        fields = [*CaseDetailSerializer.Meta.fields, "question", "result"]


class Create(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    question = serializers.CharField(max_length=2000)
    responder = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())


def plain_request_create(*, by, title, question, responder):
    return case_create(
        PlainRequest, by=by, title=title, question=question, participants=[(responder, Participant.Role.RESPONDER)]
    )


@mechanisms.register
class PlainRequests(mechanisms.Mechanism):
    code = "F3"
    model = PlainRequest
    reference_code = "PLN"
    resource = "plain-requests"
    serializers = mechanisms.Serializers(row=Row, detail=Detail, create=Create)
    create = plain_request_create
    may_create = mechanisms.member(kind=Organisation.Kind.LIAISON_OFFICE)
