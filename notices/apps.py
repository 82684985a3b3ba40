from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The official-document renderer coordination's receipts and briefings use (coordination/documents.py).
# Imported on first use: a process that renders nothing never loads WeasyPrint.
def official_document_renderer():
    from notices.circulars.rendering import get_renderer

    return get_renderer()


def official_document_qr_svg(url: str) -> str:
    from notices.circulars.rendering import qr_svg

    return qr_svg(url)


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and circulars")

    def ready(self):
        # The whole wiring of this app to the engine's events, in one place.
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save, pre_save

        from coordination import documents, events, verification
        from coordination.briefing.snapshots import briefing_refreshed
        from notices import signals
        from notices.briefing_bell import briefing_bell
        from notices.circulars.for_cases import circular_for_amended_case, circular_for_new_case, circulars_of_case
        from notices.circulars.verification import find_circular
        from notices.document_ready import notices_for_document_ready
        from notices.email import emails_for_event
        from notices.services import notices_for_circular, notices_for_event, notices_for_events
        from notices.sign_off import notices_for_sign_off
        from notices.webhooks import webhooks_for_event

        for kind in (
            events.CASE_CREATED,
            events.CASE_TRANSITIONED,
            events.RECEIPT_READ,
            events.DEADLINE_REMINDER,
            events.DEADLINE_ESCALATED,
        ):
            events.subscribe(kind, notices_for_event, in_transaction=True, many=notices_for_events)
            events.subscribe(kind, emails_for_event)
        events.subscribe(events.CIRCULAR_ISSUED, notices_for_circular, in_transaction=True)
        events.subscribe(events.CIRCULAR_SIGN_OFF, notices_for_sign_off, in_transaction=True)
        events.subscribe(events.CASE_CREATED, circular_for_new_case, in_transaction=True)
        events.subscribe(events.CASE_TRANSITIONED, circular_for_amended_case, in_transaction=True)
        documents.register(circulars_of_case)
        verification.register(find_circular)
        briefing_refreshed.connect(briefing_bell, dispatch_uid="notices-briefing-bell")
        documents.register_renderer(official_document_renderer, official_document_qr_svg)
        events.subscribe(events.DOCUMENT_READY, notices_for_document_ready, in_transaction=True)
        events.subscribe(events.DOCUMENT_READY, emails_for_event)
        events.subscribe(events.CIRCULAR_ISSUED, emails_for_event)
        events.subscribe("*", webhooks_for_event)
        user_logged_out.connect(signals.close_sockets_on_logout, dispatch_uid="notices-close-on-logout")
        User = get_user_model()
        pre_save.connect(signals.remember_credentials, sender=User, dispatch_uid="notices-remember-credentials")
        post_save.connect(
            signals.close_sockets_on_credentials_change, sender=User, dispatch_uid="notices-close-on-credentials"
        )
