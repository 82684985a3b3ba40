from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "coordination.mechanisms.insurance"
    label = "insurance"
    verbose_name = _("Cross-region medical-insurance filings (INS)")

    def ready(self):
        from coordination import events, verification
        from coordination.mechanisms.insurance import (
            mechanism,  # noqa: F401 - registers INS
            tasks,  # noqa: F401 - the receipt task, registered with Celery
        )
        from coordination.mechanisms.insurance.services import insurance_receipt_render_after_approval, receipt_record

        events.subscribe(events.CASE_TRANSITIONED, insurance_receipt_render_after_approval)
        verification.register(receipt_record)
