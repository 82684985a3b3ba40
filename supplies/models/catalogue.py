"""The catalogue of key epidemic-prevention supplies (重要防疫物资目录): what may be stocked,
requested, pledged and produced, each with its unit, specification and the standard it meets."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    """Units of issue. Counted units (只, 件, 台…) take whole numbers only; measured ones (升,
    千克) take up to three decimal places."""

    PIECE = "piece", _("piece (只)")
    ITEM = "item", _("item (件)")
    PAIR = "pair", _("pair (副)")
    DEVICE = "device", _("device (台)")
    BOX = "box", _("box (盒)")
    TEST = "test", _("test (人份)")
    VEHICLE = "vehicle", _("vehicle (辆)")
    LITRE = "litre", _("litre (升)")
    KILOGRAM = "kilogram", _("kilogram (千克)")


MEASURED_UNITS = frozenset({Unit.LITRE, Unit.KILOGRAM})


class Category(models.TextChoices):
    RESPIRATORY = "respiratory", _("Respiratory protection")
    PROTECTIVE_CLOTHING = "protective_clothing", _("Protective clothing")
    EYE_AND_FACE = "eye_and_face", _("Eye and face protection")
    HAND = "hand", _("Hand protection")
    DIAGNOSTICS = "diagnostics", _("Testing and diagnostics")
    TREATMENT = "treatment", _("Treatment equipment")
    DISINFECTION = "disinfection", _("Disinfection")
    VEHICLES = "vehicles", _("Transfer vehicles")


class SupplyItem(models.Model):
    """One kind of supply, e.g. 医用防护口罩 (N95/KN95) to GB 19083-2010, counted in 只.
    Administrators add items in the admin; an item no longer used is made inactive, never
    deleted (the ledger refers to it)."""

    Unit = Unit
    Category = Category

    code = models.CharField(
        _("code"),
        max_length=48,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Lower-case letters, digits and hyphens."))],
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=128)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    standard = models.CharField(_("standard"), max_length=100, blank=True, help_text=_("e.g. GB 19083-2010"))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")

    def __str__(self):
        return f"{self.name}（{self.standard}）" if self.standard else self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hans").startswith("en") else self.name_zh

    @property
    def countable(self) -> bool:
        """Counted in whole units (masks, suits, ventilators), not measured (litres of disinfectant).
        The unit decides it, so an item can never be both."""
        return self.unit not in MEASURED_UNITS
