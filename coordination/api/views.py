"""The foundation's API: token auth, the signed-in user, and the reference data."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.errors import DomainError
from coordination.api.serializers import (
    MechanismSerializer,
    MeSerializer,
    RegionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from coordination.models import Mechanism, Region


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token …`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request._request, "axes_locked_out", False) or getattr(request, "axes_locked_out", False):
            raise DomainError(
                "locked_out", _("Too many failed sign-in attempts; try again later."), status.HTTP_403_FORBIDDEN
            )
        if not valid:
            codes = serializer.errors.get("non_field_errors")
            if codes:
                raise DomainError("invalid_credentials", codes[0], status.HTTP_400_BAD_REQUEST)
            serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    """The signed-in user, their organisation and role."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class RegionList(generics.ListAPIView):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent"]


class MechanismList(generics.ListAPIView):
    queryset = Mechanism.objects.all()
    serializer_class = MechanismSerializer
