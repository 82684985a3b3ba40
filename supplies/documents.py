"""Allocation orders (调拨单) as official documents: rendered through the registered
official-document renderer, signed with the issuing liaison office's key and its seal, stored
once; found by the one verification (coordination/verification); downloaded by the request's
participants only, rendered on the first download when the queued render has not stored it.
"""

import hashlib
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.workflow.access import visible_cases
from supplies.models import AllocationOrder, Pledge, Shipment, SupplyRequest
from supplies.quantities import quantity_text

log = logging.getLogger(__name__)

TEMPLATE = "supplies/allocation_order.html"
KIND_ZH = "长三角重要防疫物资调拨单"
KIND_EN = "allocation order of key epidemic-prevention supplies (Yangtze River Delta)"
# GB/T 9704's type area is 156 mm wide; the red mark takes at most 96 % of it.
TYPE_WIDTH_PT = 156 * 72 / 25.4
MARK_MAX_PT = 26.0


# --- who sees which order ---------------------------------------------------------------------


def allocation_orders_visible(user) -> QuerySet[AllocationOrder]:
    """The orders of the requests the user sees (their requester and pledgers, the Office),
    without the stored PDF."""
    return (
        AllocationOrder.objects.filter(request__in=visible_cases(user, SupplyRequest).values("pk"))
        .select_related("request", "issuer", "supplier")
        .defer("pdf", "request__contact_phone")
    )


def allocation_order_for_user(user, pk) -> AllocationOrder:
    """The order if the user sees its request; 404 otherwise (its existence is not leaked)."""
    try:
        return allocation_orders_visible(user).get(pk=pk)
    except (AllocationOrder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def download_path(order: AllocationOrder) -> str:
    return reverse("allocation-order-pdf", args=[order.pk])


def display_code(code: str) -> str:
    """7K3Q9XWD2M4P → 7K3Q-9XWD-2M4P, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- the document -----------------------------------------------------------------------------


def _date_zh(value) -> str:
    """A date the way GB/T 9704 writes it: 2026年3月5日."""
    return f"{value.year}年{value.month}月{value.day}日"


def _line_rows(order: AllocationOrder) -> list[dict]:
    pledges = order.pledges.select_related("line__item", "warehouse", "capacity").order_by("line__number", "pk")
    rows = []
    for number, pledge in enumerate(pledges, start=1):
        item = pledge.line.item
        from_stock = pledge.source == Pledge.Source.STOCK
        rows.append(
            {
                "number": number,
                "item": item.name_zh,
                "specification": item.specification,
                "standard": item.standard,
                "unit": item.get_unit_display(),
                "quantity": quantity_text(pledge.accepted),
                "source": pledge.warehouse.name if from_stock else pledge.capacity.enterprise,
                "ready_on": "" if from_stock or pledge.ready_on is None else _date_zh(pledge.ready_on),
            }
        )
    return rows


def _when_zh(value) -> str:
    local = timezone.localtime(value)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _shipment_rows(order: AllocationOrder) -> list[dict]:
    shipments = Shipment.objects.filter(allocation=order).defer("driver_phone").order_by("number")
    return [
        {
            "number": shipment.number,
            "plate": shipment.vehicle_plate,
            "driver": shipment.driver_name,
            "phone": shipment.driver_phone_masked,  # never the number itself
            "dispatched": _when_zh(shipment.dispatched_at),
            "arrival": _when_zh(shipment.expected_arrival),
        }
        for shipment in shipments
    ]


def allocation_order_context(order: AllocationOrder) -> dict:
    """What the order's template (supplies/allocation_order.html) is given; call in zh-hans."""
    from coordination import documents, verification

    request, issuer = order.request, order.issuer
    url = verification.verify_url(order.verification_code)
    mark_size = min(MARK_MAX_PT, TYPE_WIDTH_PT * 0.96 / max(len(issuer.name_zh), 1))
    return {
        "order": order,
        "request": request,
        "issuer": issuer,
        "supplier": order.supplier,
        "kind": KIND_ZH,
        "pitch": "28.000pt",
        "mark_size": f"{mark_size:.3f}pt",
        "issued_on": _date_zh(timezone.localdate(order.created_at)),
        "needed_by": _date_zh(request.needed_by),
        "warehouse": request.receiving_warehouse.name,
        "contact": f"{request.contact_name} {request.contact_phone_masked}".strip(),
        "lines": _line_rows(order),
        "shipments": _shipment_rows(order),
        "code": display_code(order.verification_code),
        "qr_svg": documents.qr_svg(url),
    }


def _order_to_render(order_id: int) -> AllocationOrder | None:
    return (
        AllocationOrder.objects.select_related(
            "request__receiving_warehouse", "request__requesting_region", "issuer", "supplier"
        )
        .defer("pdf", "request__contact_phone")
        .filter(pk=order_id)
        .first()
    )


def allocation_orders_enqueue(order_ids: list[int]) -> None:
    """Hand the renders to Celery (call it on commit); a broker that is down only means the
    first download renders them."""
    from supplies.tasks import allocation_orders_render

    try:
        allocation_orders_render.apply_async((order_ids,), retry=False)
    except Exception:
        log.warning("allocation orders %s left for their first download: broker unavailable", order_ids, exc_info=True)


def allocation_order_render(order_id: int) -> AllocationOrder | None:
    """Render, sign and store one allocation order's PDF (the Celery task calls this; the first
    download too). None when the order is gone or its PDF is stored already: a render that
    runs twice stores it once."""
    order = _order_to_render(order_id)
    if order is None or order.pdf_sha256:
        return None
    return _render(order)


def _render(order: AllocationOrder) -> AllocationOrder:
    from coordination import documents
    from coordination.trust.pdf import sign_pdf
    from coordination.trust.services import active_key

    with translation.override("zh-hans"):
        rendered = documents.renderer().render_template(TEMPLATE, allocation_order_context(order))
    # Signed by the requesting office that allocates, its seal over its name and the date.
    pdf = sign_pdf(
        rendered.pdf,
        order.issuer,
        seals=rendered.anchors,
        reason=f"调拨 {order.document_number}",
        location=order.issuer.name_zh,
    )
    kid = active_key(order.issuer).kid
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = AllocationOrder.objects.select_for_update().defer("pdf").get(pk=order.pk)
        if not locked.pdf_sha256:
            AllocationOrder.objects.filter(pk=order.pk).update(pdf=pdf, pdf_sha256=digest, signing_key_id=kid)
            log.info("allocation order %s signed with %s, %s bytes", order.document_number, kid, len(pdf))
            locked.pdf_sha256, locked.signing_key_id = digest, kid
    order.pdf_sha256, order.signing_key_id = locked.pdf_sha256, locked.signing_key_id
    return order


def allocation_order_pdf(*, by, pk) -> tuple[AllocationOrder, bytes]:
    """The order and its signed PDF for a user who sees its request (404 otherwise), rendered
    now when the queued render has not stored it yet."""
    order = allocation_order_for_user(by, pk)
    if not order.pdf_sha256:
        allocation_order_render(order.pk)
    stored = AllocationOrder.objects.filter(pk=order.pk).values_list("pdf", "pdf_sha256").first()
    if stored is None or not stored[0]:
        raise Http404
    pdf, order.pdf_sha256 = bytes(stored[0]), stored[1]
    return order, pdf


# --- the one verification and the case page ---------------------------------------------------


def allocation_order_record(token: str, user):
    """Allocation orders in the one verification (coordination/verification): found by the
    code printed under their QR code or the SHA-256 of the PDF; revoked when the request they
    allocate for was cancelled. Names organisations and the request, no person."""
    from coordination import verification

    orders = (
        AllocationOrder.objects.exclude(pdf_sha256="")
        .select_related("request", "issuer", "supplier")
        .defer("pdf", "request__contact_phone")
    )
    if verification.HEX_RE.match(token):
        order = orders.filter(pdf_sha256=token).first()
    else:
        order = orders.filter(verification_code=token).first()
    if order is None:
        return None
    request = order.request
    cancelled = request.state == SupplyRequest.S.CANCELLED
    may_download = (
        user is not None and user.is_authenticated and visible_cases(user, SupplyRequest).filter(pk=request.pk).exists()
    )
    return verification.Record(
        kind_zh=KIND_ZH,
        kind_en=KIND_EN,
        title=request.title,
        number=order.document_number,
        issuer_zh=order.issuer.name_zh,
        issuer_en=order.issuer.name_en,
        issued_at=order.created_at,
        sha256=order.pdf_sha256,
        code=display_code(order.verification_code),
        status="revoked" if cancelled else "valid",
        revoked_at=request.closed_at if cancelled else None,
        revocation_reason=_("The request it allocates for was cancelled.") if cancelled else "",
        download_url=download_path(order) if may_download else None,
        extra=(
            (_("Supplying organisation"), order.supplier.name),
            (_("Request"), request.reference),
        ),
    )


def allocation_orders_of_case(case, user) -> list[dict]:
    """Document provider for the case page (coordination/documents.py): a supply request's
    allocation orders, for those who see it."""
    if not isinstance(case, SupplyRequest):
        return []
    orders = AllocationOrder.objects.filter(request=case).select_related("supplier").defer("pdf").order_by("serial")
    return [
        {
            "title": _("Allocation order to %(supplier)s") % {"supplier": order.supplier.name},
            "number": order.document_number,
            "status": _("Issued") if order.pdf_sha256 else _("Rendering"),
            # The download renders an order its queued render has not stored yet.
            "url": download_path(order),
        }
        for order in orders
    ]
