"""Notices by e-mail per preference, the daily digest, and the SMS backend interface."""

from django.core import mail
from django.test import override_settings

from coordination.models import OutboxEvent
from notices.email import digests_send, emails_for_event, preference_set
from notices.models import Notice, NotificationPreference
from notices.sms import ConsoleSmsBackend, sms_send


def test_a_new_case_is_emailed_at_once_by_default(demo, make_sheet):
    make_sheet()
    sent = emails_for_event(OutboxEvent.objects.get(kind="case.created"))
    assert sent == 3  # the addressee office's liaison officer and its head, the author's head
    assert sorted(message.to[0] for message in mail.outbox) == [
        "js-head@demo.yrd.invalid",
        "sh-head@demo.yrd.invalid",
        "sh-liaison@demo.yrd.invalid",
    ]
    assert "请协助核查" in mail.outbox[0].subject
    assert emails_for_event(OutboxEvent.objects.get(kind="case.created")) == 0  # never twice


def test_someone_who_turned_it_off_gets_no_email(demo, make_sheet):
    for username in ("sh-liaison", "sh-head", "js-head"):
        preference_set(user=demo.user(username), kind="case_created", email=NotificationPreference.Email.OFF)
    make_sheet()
    assert emails_for_event(OutboxEvent.objects.get(kind="case.created")) == 0
    assert mail.outbox == []


def test_the_daily_digest_gathers_the_days_notices_once(demo, make_sheet):
    preference_set(user=demo.user("sh-liaison"), kind="case_created", email=NotificationPreference.Email.DIGEST)
    make_sheet()
    make_sheet(title="第二件事")
    assert digests_send() == 1
    assert "第二件事" in mail.outbox[0].body and mail.outbox[0].subject.startswith("每日汇总")
    assert digests_send() == 0
    assert not Notice.objects.filter(emailed_at__isnull=True, recipient__username="sh-liaison").exists()


def test_the_preferences_page_saves_choices(client, demo):
    client.force_login(demo.user("sh-liaison"))
    assert "即时" in client.get("/inbox/preferences/").content.decode()
    client.post("/inbox/preferences/", {"deadline_escalated": "off", "case_created": "bogus"})
    assert NotificationPreference.objects.get(user__username="sh-liaison", kind="deadline_escalated").email == "off"
    assert not NotificationPreference.objects.filter(kind="case_created").exists()


@override_settings(SMS_BACKEND="notices.sms.ConsoleSmsBackend")
def test_text_messages_go_through_the_configured_backend():
    ConsoleSmsBackend.sent.clear()
    sms_send(number="13800138000", text="长三角联防联控：交办单已逾期")
    assert ConsoleSmsBackend.sent == [("13800138000", "长三角联防联控：交办单已逾期")]
