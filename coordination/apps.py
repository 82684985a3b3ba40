from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Joint prevention coordination")

    def ready(self):
        from coordination import events
        from coordination.insurance import briefing  # noqa: F401 - registers the INS briefing panel
        from coordination.insurance.tasks import render_insurance_receipt  # noqa: F401 - registered with Celery
        from coordination.services.insurance import insurance_receipt_render_after_approval

        events.subscribe(events.CASE_TRANSITIONED, insurance_receipt_render_after_approval)
