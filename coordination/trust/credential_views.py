"""One verification for every credential kind (release notices, health-code status tokens,
passes): `POST /api/v1/credentials/verify/` for integrators and scanners, and the page
`/credentials/verify/` where a checkpoint pastes what it scanned. Public like the trust list:
the credential carries masked data only, and anyone holding it could verify it offline anyway."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.serializers import StrictSerializer
from coordination.errors import DomainError
from coordination.trust import credentials


class VerifyRequest(StrictSerializer):
    credential = serializers.CharField(
        label=_("Credential"), max_length=credentials.MAX_TOKEN_LENGTH * 2, trim_whitespace=True
    )


def verification_of(text: str, *, verifier=None) -> dict:
    """The verification as the API answers it, with what its kind adds (`checks`: F1's latest
    lists); a text that is no credential at all is a 400."""
    try:
        checked = credentials.verify(text)
    except credentials.MalformedCredential as exc:
        raise DomainError("malformed_credential", str(exc), 400, details={"credential": [str(exc)]}) from None
    return {**checked.as_dict(), "checks": credentials.kind_checks(checked, verifier=verifier)}


class CredentialVerifyView(APIView):
    """Verify a scanned credential: 200 with `result` one of valid, expired, revoked,
    unknown_issuer, tampered (and what it says: kind, issuer, dates, masked data); 400
    `malformed_credential` when the text is not a credential (cut off, not base64url…)."""

    permission_classes = [AllowAny]
    throttle_scope = "credential_verify"

    def post(self, request):
        body = VerifyRequest(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        return Response(verification_of(body.validated_data["credential"], verifier=request.user))


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label=_("Scanned credential"),
        max_length=credentials.MAX_TOKEN_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 5, "autofocus": True, "spellcheck": "false"}),
        help_text=_("Scan the QR code of the release notice, health code or pass, or paste its text."),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def credential_verify_page(request):
    form = VerifyForm(request.POST or None)
    context, status = {"form": form}, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                context["checked"] = checked = credentials.verify(form.cleaned_data["credential"])
                context["checks"] = credentials.kind_checks(checked, verifier=request.user)
            except credentials.MalformedCredential as exc:
                form.add_error("credential", str(exc))
                status = 422
        else:
            status = 422
    return render(request, "credentials/verify.html", context, status=status)
