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


# Demo requests (from, to, title, transitions fired in order), in different states; idempotent.
DEMO = [
    ("sh-liaison", "js-liaison", "请协助对接返沪务工人员", [("js-liaison", "accept", {})]),
    ("js-liaison", "zj-liaison", "请协助确认包车返岗名单", [("zj-liaison", "reply", {"result": "名单已确认。"})]),
    ("zj-liaison", "ah-liaison", "请协助核实企业用工需求", []),
]


def seed_demo():
    from django.contrib.auth import get_user_model

    from coordination.demo import USERS_BY_ORG
    from coordination.workflow.engine import transition_fire

    user = get_user_model().objects.get
    for by, to, title, steps in DEMO:
        if PlainRequest.objects.filter(title=title, originator__code=by).exists():
            continue
        case = plain_request_create(
            by=user(username=USERS_BY_ORG[by]), title=title, question=title, responder=Organisation.objects.get(code=to)
        )
        for org, name, data in steps:
            transition_fire(PlainRequest, case.pk, name, by=user(username=USERS_BY_ORG[org]), data=data)


@mechanisms.register
class PlainRequests(mechanisms.Mechanism):
    code = "F3"
    model = PlainRequest
    reference_code = "PLN"
    resource = "plain-requests"
    serializers = mechanisms.Serializers(row=Row, detail=Detail, create=Create)
    create = plain_request_create
    may_create = mechanisms.member(kind=Organisation.Kind.LIAISON_OFFICE)
    demo = staticmethod(seed_demo)
