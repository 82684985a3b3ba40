"""One JSON error shape for every 4xx of the API (shared/DESIGN.md §5):

    {"error": {"code": "not_found", "message": "…", "details": {…}}}

`code` is machine-readable and stable; `message` is in the request's language.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from coordination.errors import Conflict, DomainError, Invalid, PreconditionFailed, Unprocessable

DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "stale_version",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
}


def error_body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": str(message), "details": details or {}}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return _domain_error_response(DomainError("body_too_large", _("The request body is too large to read."), 400))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", _("Some fields are not valid."), exc.detail
        if isinstance(details, list):
            details = {"non_field_errors": details}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else DEFAULT_CODES.get(response.status_code, "error")
        message, details = detail, {}
    response.data = error_body(code, message, details)
    return response


def _domain_error_response(exc: DomainError):
    from rest_framework.response import Response

    return Response(error_body(exc.error_code, exc.message, exc.details), status=exc.status_code)


def json_error_response(request, status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code, json_dumps_params={"ensure_ascii": False})


def api_404(request, exception=None):
    return json_error_response(request, 404, "not_found", _("Not found."))


def api_400(request, exception=None):
    """A request refused before any view saw it (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too
    many fields, a suspicious host): the API's error shape, not an HTML page."""
    return json_error_response(
        request, 400, "bad_request", _("The request could not be read (too large or malformed).")
    )


def api_500(request):
    return json_error_response(request, 500, "server_error", _("Server error."))


__all__ = ["Conflict", "DomainError", "Invalid", "PreconditionFailed", "Unprocessable", "exception_handler"]
