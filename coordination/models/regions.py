"""The regions of the Delta (GB/T 2260): four provincial-level regions and their 41 cities."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet):
    def provincial(self):
        """Shanghai, Jiangsu, Zhejiang and Anhui."""
        return self.filter(level__in=[Region.Level.PROVINCE, Region.Level.MUNICIPALITY])

    def cities(self):
        """Prefecture-level cities, with Shanghai, which is its own city."""
        return self.filter(level__in=[Region.Level.CITY, Region.Level.MUNICIPALITY])


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        MUNICIPALITY = "municipality", _("Municipality")
        CITY = "city", _("Prefecture-level city")

    # Codes are the identity: two English names collide (Suzhou, Taizhou), codes never do.
    code = models.CharField(_("GB/T 2260 code"), max_length=6, primary_key=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=32)
    name_en = models.CharField(_("name (English)"), max_length=64)
    plate_prefix = models.CharField(_("licence-plate prefix"), max_length=4)
    # Latin abbreviation used in reference numbers (JS-ASG-2026-000123); provincial level only.
    abbr = models.CharField(_("abbreviation"), max_length=3, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hans").startswith("en") else self.name_zh

    @property
    def is_provincial(self) -> bool:
        return self.level in (self.Level.PROVINCE, self.Level.MUNICIPALITY)

    @property
    def province(self) -> "Region":
        return self if self.is_provincial else self.parent
