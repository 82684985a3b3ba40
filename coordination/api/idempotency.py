"""`Idempotency-Key` for POSTs that create a case or fire a transition (shared/DESIGN.md §5).

The same user, key and request replay the first (successful) response and change nothing;
the same key with another request answers 422. Records are kept IDEMPOTENCY_KEY_HOURS.
A failed request stores nothing, so the client may retry it with the same key.
"""

import functools
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from coordination.errors import DomainError, Unprocessable
from coordination.models import IdempotencyRecord
from coordination.models.audit import canonical_json, sha256

HEADER = "Idempotency-Key"


class _Discard(Exception):
    def __init__(self, response):
        self.response = response


def _fingerprint(request) -> str:
    try:
        body = canonical_json(request.data)
    except Exception:  # noqa: BLE001 - unparsable bodies are fingerprinted raw
        body = request.body.decode("utf-8", "replace")
    return sha256(f"{request.method} {request.path}\n{body}")


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Unprocessable(
            _("This Idempotency-Key was already used with a different request."), code="idempotency_key_reused"
        )
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Decorate a DRF view method that creates something."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 255 or not key.isprintable():
            raise DomainError(
                "invalid_idempotency_key", _("The Idempotency-Key must be at most 255 printable characters.")
            )
        fingerprint = _fingerprint(request)
        existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            with transaction.atomic():
                try:
                    # A concurrent request with the same key waits here on the unique index
                    # until the first one commits, then replays its response.
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(user=request.user, key=key, fingerprint=fingerprint)
                except IntegrityError:
                    record = None
                if record is None:
                    raise _Discard(None)
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 300:
                    raise _Discard(response)
                record.status_code = response.status_code
                record.body = json.loads(JSONRenderer().render(response.data) or b"null")
                record.save(update_fields=["status_code", "body"])
                return response
        except _Discard as discard:
            if discard.response is not None:
                return discard.response
            return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), fingerprint)

    return wrapper
