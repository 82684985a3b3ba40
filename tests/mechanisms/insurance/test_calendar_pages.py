"""The Office keeps the working-day calendar on its own page: a year's public holidays and
make-up working days, added, changed and deleted through a form, each change recorded; review
deadlines computed afterwards follow it. Nobody outside the Office may open it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from coordination.models import CalendarDay
from coordination.pii.idcard import with_check_character

SH = ZoneInfo("Asia/Shanghai")
URL = "/calendar/"


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def office(client, ins):
    client.force_login(ins.user("yrd-office"))
    return client


def add(client, day, kind="holiday", name="测试假日"):
    return client.post(f"{URL}new/", {"date": day, "kind": kind, "name": name})


def file_at(file_filing, when, serial):
    """A routine filing received at `when`, for its own patient (a man: odd sequence number)."""
    with time_machine.travel(when, tick=False):
        return file_filing(
            filing_type="referral",
            id_number=with_check_character(f"31010119900101{2 * serial + 1:03d}"),
            birth_date="1990-01-01",
        )


def test_the_office_lists_a_years_entries_with_their_weekdays(office, ins):
    CalendarDay.objects.create(date=date(2026, 10, 1), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=date(2026, 9, 27), kind="working_day", name="国庆节调休")
    CalendarDay.objects.create(date=date(2025, 10, 1), kind="holiday", name="国庆节2025")
    response = office.get(URL, {"year": 2026})
    page = response.content.decode()
    assert response.status_code == 200
    assert [e.name for e in response.context["entries"]] == ["国庆节调休", "国庆节"]
    assert "2026-09-27" in page and "2026-10-01" in page and "国庆节2025" not in page
    assert response.context["holidays"] == 1 and response.context["working_days"] == 1
    assert 'href="?year=2025"' in page and 'href="?year=2027"' in page  # the year switcher
    assert 'class="calendar-note"' in page  # deadlines already computed are not recomputed


def test_the_weekday_is_shown_for_each_entry(office, ins):
    CalendarDay.objects.create(date=date(2026, 9, 27), kind="working_day", name="国庆节调休")  # a Sunday
    assert "星期日" in office.get(URL, {"year": 2026}).content.decode()
    office.post("/i18n/setlang/", {"language": "en", "next": URL})
    assert "Sunday" in office.get(URL, {"year": 2026}).content.decode()


def test_another_year_is_shown_on_request_and_nonsense_shows_this_year(office, ins):
    CalendarDay.objects.create(date=date(2027, 2, 6), kind="holiday", name="春节")
    assert [e.name for e in office.get(URL, {"year": "2027"}).context["entries"]] == ["春节"]
    with time_machine.travel(at(2026, 5, 1, 9, 0), tick=False):
        assert office.get(URL, {"year": "abc"}).context["year"] == 2026
        assert office.get(URL, {"year": "99999"}).context["year"] == 2026


def test_a_holiday_added_on_the_page_moves_the_next_deadline(office, ins, file_filing):
    response = add(office, "2026-03-10", name="测试假日")  # a Tuesday
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2026"
    entry = CalendarDay.objects.get()
    assert (entry.date, entry.kind, entry.name) == (date(2026, 3, 10), "holiday", "测试假日")
    filing = file_at(file_filing, at(2026, 3, 10, 9, 0), 1)
    assert filing.due_at == at(2026, 3, 11, 17, 30)  # not the holiday: the next working day


def test_a_make_up_working_day_added_on_the_page_counts(office, ins, file_filing):
    assert add(office, "2026-03-14", kind="working_day", name="调休上班").status_code == 302  # a Saturday
    filing = file_at(file_filing, at(2026, 3, 13, 16, 0), 2)  # Friday after the cut-off
    assert filing.due_at == at(2026, 3, 14, 17, 30)


def test_a_changed_entry_moves_later_deadlines_and_an_earlier_one_stays(office, ins, file_filing):
    add(office, "2026-03-10")
    entry = CalendarDay.objects.get()
    before = file_at(file_filing, at(2026, 3, 9, 16, 0), 3)  # Monday after the cut-off: due Wednesday
    assert before.due_at == at(2026, 3, 11, 17, 30)
    response = office.post(
        f"{URL}{entry.pk}/edit/", {"date": "2026-03-11", "kind": "holiday", "name": "测试假日（改期）"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.date, entry.name) == (date(2026, 3, 11), "测试假日（改期）")
    later = file_at(file_filing, at(2026, 3, 10, 16, 0), 4)  # Tuesday after the cut-off: Wednesday is off
    assert later.due_at == at(2026, 3, 12, 17, 30)
    before.refresh_from_db()
    assert before.due_at == at(2026, 3, 11, 17, 30)  # not recomputed


def test_a_deleted_make_up_day_is_a_weekend_day_again(office, ins, file_filing):
    add(office, "2026-03-14", kind="working_day", name="调休上班")
    entry = CalendarDay.objects.get()
    page = office.get(f"{URL}{entry.pk}/delete/")
    assert page.status_code == 200 and "调休上班" in page.content.decode()
    assert CalendarDay.objects.exists()  # asking is not deleting
    response = office.post(f"{URL}{entry.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2026"
    assert not CalendarDay.objects.exists()
    filing = file_at(file_filing, at(2026, 3, 13, 16, 0), 5)
    assert filing.due_at == at(2026, 3, 16, 17, 30)  # Monday


def test_every_change_is_recorded_with_who_and_when_and_shown_on_the_page(office, ins):
    add(office, "2026-10-01", name="国庆节")
    entry = CalendarDay.objects.get()
    office.post(f"{URL}{entry.pk}/edit/", {"date": "2026-10-02", "kind": "holiday", "name": "国庆节"})
    office.post(f"{URL}{entry.pk}/delete/")
    logs = list(LogEntry.objects.filter(object_id=str(entry.pk)).order_by("id"))
    assert [log.action_flag for log in logs] == [ADDITION, CHANGE, DELETION]
    assert {log.user.username for log in logs} == {"yrd-office"}
    assert "2026-10-01" in logs[0].object_repr and "2026-10-02" in logs[1].object_repr
    page = office.get(URL, {"year": 2026}).content.decode()
    assert page.count("长三角办协调员") >= 3  # who, on each of the three rows
    assert "2026-10-01" in page  # the changed entry as it was


def test_saving_without_a_change_records_nothing(office, ins):
    add(office, "2026-10-01", name="国庆节")
    entry = CalendarDay.objects.get()
    office.post(f"{URL}{entry.pk}/edit/", {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"})
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "", "kind": "holiday", "name": "国庆节"}, "date"),
        ({"date": "2026-02-30", "kind": "holiday", "name": "国庆节"}, "date"),
        ({"date": "2026-10-01", "kind": "", "name": "国庆节"}, "kind"),
        ({"date": "2026-10-01", "kind": "festival", "name": "国庆节"}, "kind"),
        ({"date": "2026-10-01", "kind": "holiday", "name": ""}, "name"),
        ({"date": "2026-10-01", "kind": "holiday", "name": "节" * 65}, "name"),
        ({"date": "2026-09-30", "kind": "working_day", "name": "周三调休"}, "kind"),  # a Wednesday
    ],
)
def test_invalid_input_shows_the_error_by_its_field_and_keeps_what_was_typed(office, ins, data, field):
    response = office.post(f"{URL}new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert f'id="id_{field}_error"' in page and 'role="alert"' in page
    for name, value in data.items():
        if value and name != "kind":
            assert f'value="{value}"' in page
    if data["kind"] in ("holiday", "working_day"):
        assert f'value="{data["kind"]}"' in page and "checked" in page
    assert not CalendarDay.objects.exists() and not LogEntry.objects.exists()


def test_a_date_entered_twice_is_refused_on_the_date(office, ins):
    add(office, "2026-10-01", name="国庆节")
    response = add(office, "2026-10-01", name="国庆节又一次")
    assert response.status_code == 200 and list(response.context["form"].errors) == ["date"]
    assert 'value="国庆节又一次"' in response.content.decode()
    assert CalendarDay.objects.count() == 1


def test_changing_an_entry_to_another_entrys_date_is_refused_and_keeps_the_input(office, ins):
    add(office, "2026-10-01", name="国庆节")
    add(office, "2026-10-02", name="国庆节第二天")
    second = CalendarDay.objects.get(date=date(2026, 10, 2))
    response = office.post(f"{URL}{second.pk}/edit/", {"date": "2026-10-01", "kind": "holiday", "name": "改名"})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["date"]
    assert 'value="改名"' in response.content.decode()
    second.refresh_from_db()
    assert (second.date, second.name) == (date(2026, 10, 2), "国庆节第二天")


def test_the_office_leader_may_edit_the_calendar_too(client, ins):
    client.force_login(ins.user("yrd-leader"))
    assert client.get(URL).status_code == 200
    assert add(client, "2026-10-01").status_code == 302


@pytest.mark.parametrize("username", ["sh-leader", "wuxi-hospital", "sh-insurance", "js-liaison"])
def test_everybody_outside_the_office_gets_403_and_changes_nothing(client, ins, username):
    entry = CalendarDay.objects.create(date=date(2026, 10, 1), kind="holiday", name="国庆节")
    client.force_login(ins.user(username))
    for path in (URL, f"{URL}new/", f"{URL}{entry.pk}/edit/", f"{URL}{entry.pk}/delete/", f"{URL}999999/edit/"):
        assert client.get(path).status_code == 403, path
    assert add(client, "2026-10-02").status_code == 403
    edit = {"date": "2026-10-03", "kind": "holiday", "name": "改"}
    assert client.post(f"{URL}{entry.pk}/edit/", edit).status_code == 403
    assert client.post(f"{URL}{entry.pk}/delete/").status_code == 403
    assert list(CalendarDay.objects.values_list("date", "name")) == [(date(2026, 10, 1), "国庆节")]
    assert not LogEntry.objects.exists()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, ins):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_entry_that_does_not_exist_is_404_for_the_office(office, ins):
    assert office.get(f"{URL}999999/edit/").status_code == 404
    assert office.post(f"{URL}999999/delete/").status_code == 404


def test_the_navigation_links_to_the_calendar_for_office_members_only(client, ins):
    client.force_login(ins.user("yrd-office"))
    assert f'href="{URL}"' in client.get("/").content.decode()
    client.force_login(ins.user("sh-leader"))
    assert f'href="{URL}"' not in client.get("/").content.decode()


def test_the_model_itself_refuses_a_weekday_make_up_day_so_the_admin_does_too(db):
    from datetime import date

    from django.core.exceptions import ValidationError

    from coordination.models import CalendarDay

    with pytest.raises(ValidationError) as refused:
        CalendarDay(date=date(2026, 12, 7), kind=CalendarDay.Kind.WORKING_DAY, name="调休").full_clean()
    assert "kind" in refused.value.message_dict
    CalendarDay(date=date(2026, 12, 5), kind=CalendarDay.Kind.WORKING_DAY, name="调休").full_clean()  # a Saturday
