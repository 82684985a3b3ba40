from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasureNoticesConfig(AppConfig):
    name = "coordination.mechanisms.measure_notices"
    label = "measure_notices"
    verbose_name = _("Notices between regions (M3, M7, F4, F5)")

    def ready(self):
        from coordination.mechanisms.measure_notices import mechanism  # noqa: F401 - registers the notices
