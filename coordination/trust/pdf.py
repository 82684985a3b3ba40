"""PAdES signatures with a visible electronic seal (verification: `verify.py`).

`sign_pdf` adds one PAdES baseline (B-B) signature of the organisation's current key, ECDSA
P-256, with its certificate and the root's embedded. The first seal box is the signature
field's widget and shows the seal; further boxes draw the same seal into those pages' content in
the same revision, covered by the signature. A joint document (several organs) is signed once
per organisation, each an incremental update with its own seal box: earlier signatures stay
intact, as pyHanko's difference analysis confirms. Extra boxes are refused on a document that
is signed already, since page content added after a signature is a modification of it.

Synchronous (pyHanko runs its own event loop): call it from sync code (a Celery task, a view).
"""

import asyncio
import io
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import AppearanceContent, ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.stamp.base import BaseStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from coordination.trust.seal import OPACITY, SIZE, seal_pdf_content
from coordination.trust.services import KeyMaterial, active_key, key_material
from coordination.trust.verify import PdfVerification, SignatureCheck, verify_pdf

# verify_pdf and its result are importable from here too: one module for "the PDF side".
__all__ = ["PdfVerification", "SealBox", "SignatureCheck", "sign_pdf", "verify_pdf"]

SealBox = tuple[int, tuple[float, float, float, float]]  # (0-based page, (x1, y1, x2, y2) in points)
# Bytes of signature container reserved beyond the estimate: an ECDSA signature's DER length
# varies by a few bytes. Hex digits, so twice the bytes.
RESERVE_MARGIN = 32


@lru_cache(maxsize=256)
def _seal_stream(name_zh: str) -> bytes:
    """The seal's drawing, Flate-compressed once per name and process."""
    return zlib.compress(b"/Ink gs\n" + seal_pdf_content(name_zh))


def _seal_xobject(writer, name_zh: str) -> generic.IndirectObject:
    """The seal as a form XObject (100 × 100 units), multiplied onto the page like ink."""
    ink = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/ExtGState"),
            pdf_name("/BM"): pdf_name("/Multiply"),
            pdf_name("/ca"): generic.FloatObject(OPACITY),
            pdf_name("/CA"): generic.FloatObject(OPACITY),
        }
    )
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, SIZE, SIZE)]),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/ExtGState"): generic.DictionaryObject({pdf_name("/Ink"): ink})}
            ),
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        },
        encoded_data=_seal_stream(name_zh),
    )
    return writer.add_object(stream)


def _fit(width: float, height: float) -> bytes:
    """The `cm` that draws the 100-unit seal as large as fits, centred, in a width × height box."""
    scale = min(width, height) / SIZE
    return b"%.4f 0 0 %.4f %.3f %.3f cm" % (scale, scale, (width - SIZE * scale) / 2, (height - SIZE * scale) / 2)


class _SealAppearance(AppearanceContent):
    def __init__(self, writer, box, seal_ref):
        super().__init__(writer=writer, box=box)
        self.seal_ref = seal_ref

    def render(self) -> bytes:
        self.set_resource(category=ResourceType.XOBJECT, name=pdf_name("/Seal"), value=self.seal_ref)
        return b"q " + _fit(self.box.width, self.box.height) + b" /Seal Do Q"


@dataclass(frozen=True)
class _SealStyle(BaseStampStyle):
    """The signature widget's appearance: the seal, nothing else (no border, no text)."""

    seal_ref: generic.IndirectObject | None = None

    def create_stamp(self, writer, box, text_params):
        return _SealAppearance(writer, box, self.seal_ref)


def _stamp_page(writer, page: int, box, seal_ref) -> None:
    """The seal drawn into a page's content (in the revision the signature covers)."""
    x1, y1, x2, y2 = box
    resource = f"/SealExtra{page}_{int(x1)}_{int(y1)}"
    wrap = [writer.add_object(generic.StreamObject(stream_data=data)) for data in (b"q", b"Q")]
    writer.add_stream_to_page(page, wrap[0], prepend=True)
    writer.add_stream_to_page(page, wrap[1])
    paint = b"q 1 0 0 1 %.3f %.3f cm %s %s Do Q" % (
        min(x1, x2),
        min(y1, y2),
        _fit(abs(x2 - x1), abs(y2 - y1)),
        resource.encode(),
    )
    resources = generic.DictionaryObject(
        {pdf_name("/XObject"): generic.DictionaryObject({pdf_name(resource): seal_ref})}
    )
    writer.add_stream_to_page(page, writer.add_object(generic.StreamObject(stream_data=paint)), resources)


_signer_lock = threading.Lock()


def _signer_for(material: KeyMaterial) -> tuple[signers.SimpleSigner, list]:
    """The pyHanko signer of a key, built once per process (kept with the decrypted key), and
    [the signature container's size] once the first signature has measured it."""
    with _signer_lock:
        if "signer" not in material.cache:
            chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in material.chain]
            material.cache["signer"] = signers.SimpleSigner(
                signing_cert=material.asn1_certificate,
                signing_key=material.asn1_private_key(),
                cert_registry=SimpleCertificateStore.from_certs(chain),
            )
            material.cache["reserved"] = []
        return material.cache["signer"], material.cache["reserved"]


def _field_name(existing: set[str], organisation) -> str:
    base = f"Seal-{organisation.code}"
    name, n = base, 1
    while name in existing:
        n += 1
        name = f"{base}-{n}"
    return name


async def _sign(pdf_signer, writer, *, signed_at: datetime, reserved: list) -> io.BytesIO:
    # PdfSigner.async_sign_pdf's steps, with the signing time set (it takes no such argument)
    # and the container's size estimated once per key instead of at every signature.
    # Returns the output stream, not its bytes: on Python 3.11 asyncio.run's restoring of the
    # SIGINT handler formats the handler, hence the task and its result, with repr(); the
    # repr of a signed PDF's bytes cost ~3.5 ms a signature (of ~30).
    session = pdf_signer.init_signing_session(writer)
    session.system_time = signed_at
    if not reserved:
        reserved.append(await session.estimate_signature_container_size(None, tight=True) + RESERVE_MARGIN)
    tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=reserved[0])
    prepared, output = tbs.digest_tbs_document()
    signed = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=signed_at),
    )
    await signed.post_signature_processing(output)
    return output


def sign_pdf(
    pdf: bytes,
    organisation,
    *,
    seals: Sequence[SealBox] = (),
    reason: str = "",
    location: str = "",
    signed_at: datetime | None = None,
) -> bytes:
    """The PDF signed by the organisation's current key (created on first use), its seal shown
    in each of `seals` — (0-based page, (x1, y1, x2, y2) in PDF points, origin bottom-left) —
    or an invisible signature when there is none."""
    material = key_material(active_key(organisation))
    signer, reserved = _signer_for(material)
    signed_at = signed_at or timezone.now()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    existing = {signature.field_name for signature in writer.prev.embedded_signatures}
    if len(seals) > 1 and existing:
        raise ValueError("Further seal boxes can only be added to an unsigned document: sign with one box here.")
    page_count = int(writer.root["/Pages"]["/Count"])
    for page, box in seals:
        if not 0 <= page < page_count:
            raise ValueError(f"Seal box on page {page}: the document has {page_count} pages (counted from 0).")
        if len(box) != 4 or box[2] == box[0] or box[3] == box[1]:
            raise ValueError(f"Seal box {box} is not a rectangle (x1, y1, x2, y2).")
    field_name = _field_name(existing, organisation)
    seal_ref = _seal_xobject(writer, organisation.name_zh) if seals else None
    for page, box in seals[1:]:
        _stamp_page(writer, page, box, seal_ref)
    if seals:
        page, (x1, y1, x2, y2) = seals[0]
        box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        field_spec = fields.SigFieldSpec(field_name, on_page=page, box=box)
    else:
        field_spec = fields.SigFieldSpec(field_name)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        name=organisation.name_zh,
    )
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, stamp_style=_SealStyle(seal_ref=seal_ref), new_field_spec=field_spec
    )
    return asyncio.run(_sign(pdf_signer, writer, signed_at=signed_at, reserved=reserved)).getvalue()
