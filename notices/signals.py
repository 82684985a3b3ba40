"""Closing a user's sockets at once when their credentials change: sign-out (Django's
user_logged_out), a new password or deactivation (a change to the user row). These only ring;
they create nothing. The consumer's watchdog re-checks now and then as a safety net."""

from django.contrib.auth import get_user_model

from notices.doorbell import close_sockets_of


def close_sockets_on_logout(sender, request, user, **kwargs):
    if user is not None:
        close_sockets_of(user.pk, "signed_out")


def remember_credentials(sender, instance, **kwargs):
    if instance.pk:
        instance._credentials_before = (
            get_user_model().objects.filter(pk=instance.pk).values_list("password", "is_active").first()
        )


def close_sockets_on_credentials_change(sender, instance, created, **kwargs):
    before = getattr(instance, "_credentials_before", None)
    if not created and before is not None and before != (instance.password, instance.is_active):
        close_sockets_of(instance.pk, "credentials_changed")
