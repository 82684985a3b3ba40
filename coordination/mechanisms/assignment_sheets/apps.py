from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentSheetsConfig(AppConfig):
    name = "coordination.mechanisms.assignment_sheets"
    label = "assignment_sheets"
    verbose_name = _("Coordination assignment sheets (M3)")

    def ready(self):
        from coordination.mechanisms.assignment_sheets import mechanism  # noqa: F401 - registers M3 sheets
