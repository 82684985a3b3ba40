"""`/api/v1/notices/`: the signed-in user's inbox. `?after=<seq>` lists what came after a
sequence number, oldest first (what a client that was offline missed)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notices.models import Mailbox, Notice
from notices.services import notice_mark_read, notices_mark_all_read, unread_count


class NoticeSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "seq",
            "kind",
            "reference",
            "title_zh",
            "title_en",
            "body_zh",
            "body_en",
            "link",
            "created_at",
            "read_at",
            "read",
        ]
        read_only_fields = fields

    def get_read(self, notice) -> bool:
        return notice.read_at is not None


class NoticeFilter(django_filters.FilterSet):
    after = django_filters.NumberFilter(field_name="seq", lookup_expr="gt", min_value=0)
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notice
        fields = ["kind", "after", "unread"]


class ReadAllSerializer(serializers.Serializer):
    up_to_seq = serializers.IntegerField(required=False, min_value=0)


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    lookup_field = "seq"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        notices = Notice.objects.filter(recipient=self.request.user)
        return notices.order_by("seq") if "after" in self.request.query_params else notices.order_by("-seq")

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, seq=None):
        notice = notice_mark_read(user=request.user, seq=self.get_object().seq)
        return Response(NoticeSerializer(notice).data)

    @extend_schema(request=ReadAllSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        body = ReadAllSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = notices_mark_all_read(user=request.user, up_to_seq=body.validated_data.get("up_to_seq"))
        return Response({"marked": marked, "unread": unread_count(request.user)})

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        last_seq = Mailbox.objects.filter(user=request.user).values_list("last_seq", flat=True).first() or 0
        return Response({"unread": unread_count(request.user), "last_seq": last_seq})
