"""`manage.py seed_demo` picks this up: the root and a key for every demo organisation."""

import logging

from django.core.exceptions import ImproperlyConfigured

from coordination.trust import crypto
from coordination.trust.services import ensure_demo_keys

log = logging.getLogger(__name__)


def seed() -> None:
    try:
        crypto.require_secret()
    except ImproperlyConfigured as exc:
        # A demo in production mode without the secret still seeds; documents get keys once it is set.
        log.warning("signing: demo keys not created: %s", exc)
        return
    ensure_demo_keys()
