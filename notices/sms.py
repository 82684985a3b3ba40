"""Text messages: a pluggable backend, since every province has its own SMS gateway.

`SMS_BACKEND` names a class with `send(number, text)`; the default writes to the log
(console), like Django's console e-mail backend. A province plugs in its gateway's client.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("notices.sms")


class BaseSmsBackend:
    def send(self, number: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes each message to the log instead of sending it."""

    sent: list[tuple[str, str]] = []

    def send(self, number: str, text: str) -> None:
        masked = number[:3] + "****" + number[-4:] if len(number) >= 7 else "****"
        log.info("SMS to %s: %s", masked, text)
        self.sent.append((number, text))


def sms_send(*, number: str, text: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(number, text[:500])
