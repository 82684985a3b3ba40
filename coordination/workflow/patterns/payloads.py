"""Payloads several patterns' transitions take."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ReasonPayload(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason"), max_length=2000)


class ReplyPayload(serializers.Serializer):
    result = serializers.CharField(label=_("Result"), max_length=10000)


class NoPayload(serializers.Serializer):
    pass
