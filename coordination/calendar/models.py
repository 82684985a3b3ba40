"""The working-day calendar the Office keeps: the days that differ from Monday–Friday."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day the Office marks as differing from Monday–Friday: a public holiday, or a weekend
    day worked in exchange (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        # Here, not in one form: the Office's page and the admin both refuse it.
        if self.date is not None and self.kind == self.Kind.WORKING_DAY and self.date.weekday() < 5:
            raise ValidationError(
                {
                    "kind": _(
                        "A make-up working day is a Saturday or a Sunday: Monday to Friday are working days already."
                    )
                }
            )
