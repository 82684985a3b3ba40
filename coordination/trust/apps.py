from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "coordination.trust"
    label = "trust"
    verbose_name = _("Issuer keys and document signing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from coordination.trust.crypto import check_signing_secret

        checks.register(check_signing_secret, checks.Tags.security, deploy=True)
