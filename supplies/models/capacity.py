"""The production capacity list (产能清单): what enterprises of a region can make of an item per
day, and how much of it is already committed (to national dispatch, to other regions' pledges)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coordination.models import Region
from supplies.models.catalogue import SupplyItem
from supplies.models.stock import QUANTITY


class ProductionCapacity(models.Model):
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="production_capacities",
        limit_choices_to={"level__in": [Region.Level.PROVINCE, Region.Level.MUNICIPALITY]},
        verbose_name=_("region"),
    )
    item = models.ForeignKey(
        SupplyItem, on_delete=models.PROTECT, related_name="production_capacities", verbose_name=_("item")
    )
    enterprise = models.CharField(_("enterprise"), max_length=128)
    daily_capacity = models.DecimalField(_("daily capacity"), **QUANTITY)
    committed = models.DecimalField(_("committed per day"), default=0, **QUANTITY)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["region_id", "item__code", "enterprise", "valid_from"]
        verbose_name = _("production capacity")
        verbose_name_plural = _("production capacities")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "item", "enterprise", "valid_from"], name="supplies_capacity_unique_period"
            ),
            models.CheckConstraint(condition=Q(daily_capacity__gte=0), name="supplies_capacity_not_negative"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="supplies_capacity_committed_not_negative"),
            models.CheckConstraint(
                condition=Q(committed__lte=F("daily_capacity")), name="supplies_capacity_committed_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="supplies_capacity_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.item}"

    @property
    def uncommitted(self):
        """Daily output not yet promised to anybody."""
        return self.daily_capacity - self.committed

    def clean(self):
        errors = {}
        if self.region_id and not self.region.is_provincial:
            errors["region"] = _("Choose a provincial-level region.")
        if self.item_id and self.item.countable:
            for field in ("daily_capacity", "committed"):
                value = getattr(self, field)
                if value is not None and value != value.to_integral_value():
                    errors[field] = _("%(item)s is counted in whole units (%(unit)s).") % {
                        "item": self.item.name,
                        "unit": self.item.get_unit_display(),
                    }
        if self.committed is not None and self.daily_capacity is not None and self.committed > self.daily_capacity:
            errors["committed"] = _("More is committed than can be made in a day.")
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end comes before the start.")
        if errors:
            raise ValidationError(errors)
