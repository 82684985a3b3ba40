from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Joint prevention coordination")

    def ready(self):
        # The registry's start-up checks (catalogue, model, serializers, unregistered case models).
        from coordination.workflow import mechanisms  # noqa: F401
