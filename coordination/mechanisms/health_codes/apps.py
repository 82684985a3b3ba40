from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthCodesConfig(AppConfig):
    name = "coordination.mechanisms.health_codes"
    label = "health_codes"
    verbose_name = _("F1 health-code mutual recognition")

    def ready(self):
        from coordination.mechanisms.health_codes import briefing, tokens  # noqa: F401 - registers the panel and the check
