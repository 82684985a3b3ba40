from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Joint prevention coordination")

    def ready(self):
        from coordination.insurance import briefing  # noqa: F401 - registers the INS briefing panel
