"""Django's own auth signals, used only to close a user's sockets at once (the consumer's
watchdog would notice within seconds anyway)."""

from notices.doorbell import close_sockets_of


def close_sockets_on_logout(sender, request, user, **kwargs):
    if user is not None:
        close_sockets_of(user.pk, "signed_out")
