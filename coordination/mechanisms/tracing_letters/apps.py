from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingLettersConfig(AppConfig):
    name = "coordination.mechanisms.tracing_letters"
    label = "tracing_letters"
    verbose_name = _("Close-contact tracing letters (M1)")

    def ready(self):
        from coordination.mechanisms.tracing_letters import mechanism, tasks  # noqa: F401 - registers M1
