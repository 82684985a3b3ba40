"""Pages of the working-day calendar, for the Regional Cooperation Office: a year's public
holidays and make-up working days, and adding, changing and deleting them. Review deadlines
(coordination/calendar/working_days.py) follow the calendar from the next one computed on."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from coordination.calendar import services
from coordination.models import CalendarDay

FIRST_YEAR, LAST_YEAR = 1950, 2200  # what the year switcher accepts; anything else shows this year
# "Date" alone is a circular's date of issue (成文日期) in the catalogue; a calendar's is a plain date.
DATE_LABEL = pgettext_lazy("working-day calendar", "Date")
FIELD_LABELS = {"date": DATE_LABEL, "kind": gettext_lazy("Kind"), "name": gettext_lazy("Name")}


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "kind": forms.RadioSelect,
            "name": forms.TextInput(attrs={"placeholder": "春节"}),
        }
        labels = {"date": DATE_LABEL, "kind": gettext_lazy("Kind"), "name": gettext_lazy("Name (Chinese)")}
        help_texts = {
            "name": gettext_lazy("As in the State Council's holiday notice, e.g. 春节 or 国庆节调休."),
        }
        error_messages = {
            "date": {"unique": gettext_lazy("This date is in the calendar already; change that entry instead.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CalendarDay.Kind.choices  # no empty "---------" radio
        self.fields["name"].required = True


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _year_url(year: int) -> str:
    return f"{reverse('calendar')}?year={year}"


@login_required
@require_GET
def calendar_year(request):
    services.calendar_editor(request.user)
    year = _year(request.GET.get("year"))
    entries = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    changes = []
    for log in services.calendar_changes():
        fields, was = services.change_details(log)
        changes.append({"log": log, "fields": [FIELD_LABELS.get(name, name) for name in fields], "was": was})
    return render(
        request,
        "calendar/calendar.html",
        {
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "this_year": timezone.localdate().year,
            "entries": entries,
            "holidays": sum(1 for e in entries if e.kind == CalendarDay.Kind.HOLIDAY),
            "working_days": sum(1 for e in entries if e.kind == CalendarDay.Kind.WORKING_DAY),
            "changes": changes,
            "date_label": DATE_LABEL,
        },
    )


def _save(request, form: CalendarDayForm, entry: CalendarDay | None):
    """Run the service on a valid form; its errors land next to the fields, as the form's own do."""
    data = form.cleaned_data
    try:
        if entry is None:
            saved = services.calendar_day_create(by=request.user, **data)
        else:
            saved = services.calendar_day_change(by=request.user, pk=entry.pk, **data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day_new(request):
    services.calendar_editor(request.user)
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid() and (entry := _save(request, form, None)) is not None:
            messages.success(request, _("Added %(entry)s.") % {"entry": entry})
            return redirect(_year_url(entry.date.year))
    else:
        day = parse_date(request.GET.get("date") or "")
        form = CalendarDayForm(initial={"date": day, "kind": CalendarDay.Kind.HOLIDAY})
    year = _year(request.POST.get("date", "")[:4] or request.GET.get("year"))
    return render(request, "calendar/day_form.html", {"form": form, "entry": None, "year": year})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day_edit(request, pk: int):
    entry = services.calendar_day_for_user(request.user, pk)
    year, was = entry.date.year, str(entry)  # before a bound form writes what was typed into it
    if request.method == "POST":
        form = CalendarDayForm(request.POST, instance=entry)
        if form.is_valid() and (saved := _save(request, form, entry)) is not None:
            messages.success(request, _("Saved %(entry)s.") % {"entry": saved})
            return redirect(_year_url(saved.date.year))
    else:
        form = CalendarDayForm(instance=entry)
    return render(request, "calendar/day_form.html", {"form": form, "entry": entry, "was": was, "year": year})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day_delete(request, pk: int):
    entry = services.calendar_day_for_user(request.user, pk)
    if request.method == "POST":
        services.calendar_day_delete(by=request.user, pk=entry.pk)
        messages.success(request, _("Deleted %(entry)s.") % {"entry": entry})
        return redirect(_year_url(entry.date.year))
    return render(request, "calendar/day_delete.html", {"entry": entry, "year": entry.date.year})
