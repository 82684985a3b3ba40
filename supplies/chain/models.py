"""F2's supply-chain request (产业链复工复产协同协作): an enterprise whose production is blocked
for want of an upstream part asks, through its region's liaison office, the liaison office of
the supplier's city in another region to find and restart its supply. That office accepts and
replies naming the suppliers; the requester confirms (closes) or reopens. Configuration of the
request–reply pattern."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from coordination.models import Region
from coordination.workflow.patterns import RequestReplyCase
from coordination.workflow.transitions import case_transition
from supplies.chain.payloads import SupplierReply
from supplies.chain.suppliers import SuppliersDecoder

S = RequestReplyCase.State


class SupplyChainRequest(RequestReplyCase):
    # The requesting enterprise, and what it needs.
    requester_name = models.CharField(_("requesting enterprise"), max_length=200)
    requester_credit_code = models.CharField(_("unified social credit code"), max_length=18)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    product_description = models.TextField(_("product or part needed"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=16)
    needed_by = models.DateField(_("needed by"))
    # What stands still until it arrives.
    blocked_production = models.TextField(_("blocked production"))
    employees_affected = models.PositiveIntegerField(_("employees affected"))
    # The supplier, as far as the requester knows it; its city decides where the request goes.
    supplier_name = models.CharField(_("supplier (if known)"), max_length=200, blank=True)
    supplier_city = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier's city")
    )
    # The regions taking part, on the row (the declaration's `region_fields`): the briefing
    # counts by them instead of searching participants.
    requester_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("requesting region"), editable=False
    )
    supplier_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplying region"), editable=False
    )
    contact_person = models.CharField(_("contact person"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    # The reply: the suppliers found (SupplierFound each); `result` holds its note.
    suppliers = models.JSONField(_("suppliers found"), default=list, blank=True, decoder=SuppliersDecoder)

    class Meta(RequestReplyCase.Meta):
        verbose_name = _("supply-chain request")
        verbose_name_plural = _("supply-chain requests")

    # The pattern's reply, naming the suppliers found as well as the note: the same transition
    # (source, target, permission), with F2's payload and what it keeps of it.
    @case_transition(
        "state",
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.REPLIED,
        label=_("Reply"),
        permission="respond",
        payload=SupplierReply,
    )
    def reply(self, ctx):
        self.suppliers = ctx.data["suppliers"]
        self.result = ctx.data.get("result", "")
        self.replied_at = ctx.now


class SupplyChainRequestGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for supply-chain requests."""

    content_object = models.ForeignKey(SupplyChainRequest, on_delete=models.CASCADE)
