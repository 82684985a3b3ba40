"""The trust list at its stable URL: public, so that any region's system fetches it unauthenticated."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from coordination.trust.trust_list import signed_trust_list


@require_GET
def trust_list(request):
    response = JsonResponse(signed_trust_list(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Cache-Control"] = f"public, max-age={settings.SIGNING_TRUST_LIST_MAX_AGE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
