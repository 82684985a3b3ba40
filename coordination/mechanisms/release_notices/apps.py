from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleaseNoticesConfig(AppConfig):
    name = "coordination.mechanisms.release_notices"
    label = "release_notices"
    verbose_name = _("M2 release notices")

    def ready(self):
        from coordination.mechanisms.release_notices import mechanism  # noqa: F401 - registers M2
