"""The mechanism catalogue: the "7+5" of February 2020 and the cross-region insurance filing."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Pattern(models.TextChoices):
    """The four workflow patterns the engine offers (shared/DESIGN.md §2)."""

    NOTICE_WITH_RECEIPTS = "notice_with_receipts", _("Notice with receipts")
    REQUEST_REPLY = "request_reply", _("Request–reply")
    REQUEST_OFFERS_ALLOCATION = "request_offers_allocation", _("Request–offers–allocation")
    CREDENTIAL = "credential", _("Credential")


class DeadlineBasis(models.TextChoices):
    CLOCK = "clock", _("Clock time")
    WORKING_DAY = "working_day", _("Same working day")


class Mechanism(models.Model):
    Pattern = Pattern
    DeadlineBasis = DeadlineBasis

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=200)
    pattern = models.CharField(_("workflow pattern"), max_length=32, choices=Pattern.choices)
    # Some mechanisms combine two patterns (M3: notices and assignment sheets; M5: request, then pass).
    secondary_pattern = models.CharField(_("second pattern"), max_length=32, choices=Pattern.choices, blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    default_deadline = models.DurationField(_("default deadline"))
    deadline_basis = models.CharField(
        _("deadline basis"), max_length=16, choices=DeadlineBasis.choices, default=DeadlineBasis.CLOCK
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hans").startswith("en") else self.name_zh
