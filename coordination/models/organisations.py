"""Organisations (liaison offices, the Office, insurance centres, hospitals…) and their people.

Each organisation owns one Django group: object permissions are granted to the group, so an
officer appointed tomorrow inherits what the organisation may see today.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination.models.regions import Region


class Organisation(models.Model):
    class Kind(models.TextChoices):
        LIAISON_OFFICE = "liaison_office", _("Provincial liaison office")
        # A city's own office (苏州市联防联控联络办公室): it answers the matters routed to its
        # city (F2 supply-chain requests); notices and circulars between regions stay with the
        # provincial offices.
        CITY_LIAISON_OFFICE = "city_liaison_office", _("City liaison office")
        COOPERATION_OFFICE = "cooperation_office", _("Regional Cooperation Office")
        INSURANCE_CENTRE = "insurance_centre", _("Medical-insurance centre")
        HOSPITAL = "hospital", _("Hospital")
        TRANSPORT_DEPARTMENT = "transport_department", _("Transport department")
        HEALTH_COMMISSION = "health_commission", _("Health commission")
        LEADING_GROUP = "leading_group", _("Leading group")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # The provincial-level region it belongs to; empty only for the Regional Cooperation Office,
    # which serves all four.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        limit_choices_to={"level__in": [Region.Level.PROVINCE, Region.Level.MUNICIPALITY]},
        verbose_name=_("region"),
    )
    city = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level__in": [Region.Level.CITY, Region.Level.MUNICIPALITY]},
        verbose_name=_("city"),
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False, related_name="organisation")

    class Meta:
        ordering = ["region_id", "kind", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.group_id is None:
                self.group = Group.objects.create(name=f"org:{self.code}")
            super().save(*args, **kwargs)

    def clean(self):
        if self.region_id is None and not self.is_cooperation_office:
            raise ValidationError({"region": _("Every organisation but the Regional Cooperation Office has a region.")})
        if self.region_id and not self.region.is_provincial:
            raise ValidationError({"region": _("Choose a provincial-level region; the city goes in 'city'.")})
        if self.city_id and self.region_id and self.city.province.code != self.region_id:
            raise ValidationError({"city": _("The city is not in the organisation's region.")})

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hans").startswith("en") else self.name_zh

    @property
    def is_cooperation_office(self) -> bool:
        return self.kind == self.Kind.COOPERATION_OFFICE


class Membership(models.Model):
    """A user's place in one organisation (one organisation per user keeps permissions legible)."""

    class Role(models.TextChoices):
        LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
        COORDINATOR = "coordinator", _("Regional coordinator")
        HOSPITAL_FILER = "hospital_filer", _("Hospital filer")
        INSURANCE_REVIEWER = "insurance_reviewer", _("Insurance reviewer")
        TRANSPORT_OFFICER = "transport_officer", _("Transport officer")
        LEADER = "leader", _("Leader")
        # 签发人: the office head who signs off the organisation's official documents.
        SIGNER = "signer", _("Signing officer (office head)")
        MEMBER = "member", _("Member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(_("job title"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        # Keep the user in exactly one organisation group, the one of this membership.
        with transaction.atomic():
            super().save(*args, **kwargs)
            groups = self.user.groups
            groups.remove(*groups.filter(organisation__isnull=False).exclude(pk=self.organisation.group_id))
            groups.add(self.organisation.group)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            self.user.groups.remove(self.organisation.group)
            return super().delete(*args, **kwargs)
