"""`/api/v1/webhooks/`: an organisation's subscriptions, their delivery log and a test send."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from coordination.workflow.access import membership_of
from notices.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from notices.webhooks import WebhookTargetRefused, check_target, webhook_test_send


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "format", "event_kinds", "active", "secret", "created_at"]
        read_only_fields = ["id", "secret", "created_at"]

    def validate_url(self, url):
        try:
            check_target(url)
        except WebhookTargetRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return url

    def validate_event_kinds(self, kinds):
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
            raise serializers.ValidationError(_('A list of event kinds, e.g. ["case.created"].'))
        return kinds


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "kind", "status", "attempts", "next_attempt_at", "created_at", "body", "attempt_log"]


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookSubscriptionSerializer

    def organisation(self):
        membership = membership_of(self.request.user)
        if membership is None:
            raise PermissionDenied
        return membership.organisation

    def get_queryset(self):
        return WebhookSubscription.objects.filter(organisation=self.organisation()).order_by("id")

    def perform_create(self, serializer):
        serializer.save(organisation=self.organisation())

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = webhook_test_send(self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        deliveries = self.get_object().deliveries.order_by("-id").prefetch_related("attempt_log")
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
