"""Verification of a signed PDF from the file alone: every signature checked (the trust list's
root as the only trust anchor, no network), and the signer's key against the trust list — valid,
expired or revoked. Synchronous, like signing.

pyHanko reads the PDF (its revisions, signature fields, coverage and, when a signature is followed
by later revisions, its difference analysis). The signatures of the kind `sign_pdf` makes
(PAdES, ECDSA P-256 with SHA-256, the plain signed attributes) are checked here with the same
rules as pyHanko's validator but without its per-call overhead: the message digest against the
ByteRange's SHA-256, the ECDSA signature over the signed attributes, the signing-certificate
attribute, and the certificate chain — validated by pyHanko's validator the first time a
certificate is seen with a root and remembered while every certificate of the path is within its
validity. Any other signature, or a chain not validated yet, goes through pyHanko's full
validator (`validate_pdf_signature`) as before. No result is kept per document.

Importing this module also makes pyHanko's reader read hex strings faster, process-wide (signing
reads them too): `_install_fast_hex_strings`.
"""

import binascii
import hashlib
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from coordination.trust import certificates, crypto
from coordination.trust.models import SigningKey
from coordination.trust.services import root_key as current_root
from coordination.trust.trust_list import TrustListError, key_entry, parse_time, verify_trust_list


def _install_fast_hex_strings() -> None:
    """pyHanko's reader parses a hex string (a signature's /Contents: thousands of digits) one
    character at a time through a generator. This reads the common case — hex digits and PDF
    whitespace up to the closing `>` — in one go with the same result, and hands anything else
    (a comment, a stray character, an unterminated string) back to pyHanko's own reader.
    pyHanko's reader looks the function up in its module at each call: replaced there, it is
    used wherever pyHanko reads a PDF in this process."""
    original = generic.read_hex_string_from_stream
    if getattr(original, "yrd_fast", False):
        return
    hex_or_whitespace = PDF_WHITESPACE + generic.HEX_DIGITS

    def read_hex_string_from_stream(stream):
        start = stream.tell()
        chunk = stream.read(512)
        end = chunk.find(b">", 1)
        if end < 0 and len(chunk) == 512:
            chunk += stream.read(1 << 20)
            end = chunk.find(b">", 1)
        body = chunk[1:end]
        if end < 0 or body.translate(None, hex_or_whitespace):
            stream.seek(start)
            return original(stream)
        digits = body.translate(None, PDF_WHITESPACE)
        stream.seek(start + end + 1)
        return generic.pdf_string(binascii.unhexlify(digits + b"0" if len(digits) % 2 else digits))

    read_hex_string_from_stream.yrd_fast = True
    read_hex_string_from_stream.original = original
    generic.read_hex_string_from_stream = read_hex_string_from_stream


_install_fast_hex_strings()


log = logging.getLogger("coordination.trust")


@dataclass
class SignatureCheck:
    """One signature of a document, as checked."""

    field_name: str
    kid: str
    organisation_id: int | None
    organisation_name: str
    signed_at: datetime | None
    intact: bool  # its digest matches and the signature over it verifies
    covers_whole_file: bool
    allowed_changes_only: bool  # what follows it (if anything) only adds signatures
    trusted: bool  # its certificate chains to the trust list's root, valid now
    key_status: str  # valid / expired / revoked / unknown
    revoked_at: datetime | None = None
    revocation_reason: str = ""


@dataclass
class PdfVerification:
    """What a PDF's own signature says, checked against the trust list. With several signatures
    (a joint document), the signer fields describe the first and `signatures` lists them all."""

    signed: bool
    intact: bool  # every signature verifies, the last covers the whole file, nothing else was changed
    organisation_name: str = ""
    organisation_id: int | None = None
    kid: str = ""
    signed_at: datetime | None = None
    key_status: str = "unknown"  # valid / expired / revoked / unknown
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    trusted: bool = False  # every signer's certificate chains to the root
    document_sha256: str = ""
    problems: list[str] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return (
            self.signed
            and self.intact
            and self.trusted
            and bool(self.signatures)
            and all(s.key_status == "valid" for s in self.signatures)
        )


@lru_cache(maxsize=32)
def _asn1_certificate(pem: str) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(_der_of_pem(pem))


@lru_cache(maxsize=256)
def _der_of_pem(pem: str) -> bytes:
    return certificates.load_pem(pem).public_bytes(serialization.Encoding.DER)


class _CertificateFacts(NamedTuple):
    kid: str
    public_key: ec.EllipticCurvePublicKey | None  # None: not a P-256 key (pyHanko checks those)
    not_before: datetime
    not_after: datetime


@lru_cache(maxsize=256)
def _certificate_facts(der: bytes) -> _CertificateFacts:
    """What a certificate's DER gives, parsed once per process and certificate."""
    certificate = x509.load_der_x509_certificate(der)
    public_key = certificate.public_key()
    p256 = isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1)
    return _CertificateFacts(
        kid=crypto.kid_for(public_key),
        public_key=public_key if p256 else None,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def _kid_of(certificate: asn1_x509.Certificate) -> str:
    return _certificate_facts(certificate.dump()).kid


class _TrustedChains:
    """Chains pyHanko's validator found trusted: (signer's certificate, the signature's embedded
    certificates, the root) → the span in which every certificate of the validated path is
    within its validity. Within that span the validator's verdict is the same (no revocation
    sources, no fetching, fixed key-usage rules), so it is not asked again; outside it, or for
    a chain it has not accepted, it is. Bounded, thread-safe."""

    SIZE = 512

    def __init__(self):
        self._spans: OrderedDict[tuple[bytes, bytes, bytes], tuple[datetime, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def trusted(self, key: tuple[bytes, bytes, bytes], at: datetime) -> bool:
        with self._lock:
            span = self._spans.get(key)
            if span is not None:
                self._spans.move_to_end(key)
        return span is not None and span[0] <= at <= span[1]

    def remember(self, key: tuple[bytes, bytes, bytes], path, at: datetime) -> None:
        dates = [(c.not_valid_before, c.not_valid_after) for c in path.iter_certs(include_root=True)]
        for der in (key[0], key[2]):
            facts = _certificate_facts(der)
            dates.append((facts.not_before, facts.not_after))
        span = max(d[0] for d in dates), min(d[1] for d in dates)
        if not span[0] <= at <= span[1]:
            return
        with self._lock:
            self._spans[key] = span
            self._spans.move_to_end(key)
            while len(self._spans) > self.SIZE:
                self._spans.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._spans.clear()


_trusted_chains = _TrustedChains()


class _Verdict(NamedTuple):
    """What pyHanko's validator reports of a signature, the part verify_pdf uses."""

    intact: bool  # the message digest matches the ByteRange's
    valid: bool  # the signature over the signed attributes verifies
    coverage: SignatureCoverageLevel
    docmdp_ok: bool | None  # what follows the signature only adds signatures (see pyHanko)
    trusted: bool
    certificate: asn1_x509.Certificate  # the signer's


# Signed attributes a signature may carry for the check below: those of sign_pdf's (PAdES B-B)
# and the signing time. Any other (a content timestamp, algorithm protection, signer attributes…)
# is pyHanko's to check.
_PLAIN_ATTRIBUTES = frozenset({"content_type", "message_digest", "signing_certificate_v2", "signing_time"})
_SHA256_ECDSA = ec.ECDSA(hashes.SHA256())


def _as_set(contents: bytes) -> bytes:
    """The DER of a SET OF with these contents: the signed attributes as the signature covers
    them (RFC 5652 §5.4: re-tagged from [0] IMPLICIT), what pyHanko gets with untag().dump()."""
    n = len(contents)
    length = (
        bytes([n])
        if n < 0x80
        else bytes([0x80 | (n.bit_length() + 7) // 8]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    )
    return b"\x31" + length + contents


def _plain_verdict(embedded, root_der: bytes | None, at: datetime) -> _Verdict | None:
    """pyHanko's verdict on a signature of the common kind, reached with the same checks as its
    validator (cms_basic_validation, validate_sig_integrity) without their overhead; None for
    any other signature, or when the chain is not yet known to pyHanko's validator."""
    if root_der is None or embedded.sig_object_type != "/Sig":
        return None
    if embedded.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached" or "/SV" in embedded.sig_field:
        return None  # another kind of signature, or seed values for pyHanko to check
    reader = embedded.reader
    if reader.strict and reader.xrefs.hybrid_xrefs_present:
        return None  # pyHanko refuses those
    if embedded.md_algorithm != "sha256" or embedded.external_md_algorithm != "sha256":
        return None
    signed_data, signer_info = embedded.signed_data, embedded.signer_info
    signed_attrs = signer_info["signed_attrs"]
    if signed_attrs is core.VOID or signer_info["unsigned_attrs"] is not core.VOID:
        return None
    signed_der = _as_set(signed_attrs.contents)  # what the signature is over
    content_info = signed_data["encap_content_info"]
    if content_info["content_type"].native != "data" or content_info["content"] is not core.VOID:
        return None
    if signer_info["signature_algorithm"]["algorithm"].native != "sha256_ecdsa":
        return None
    attributes = {}
    for attribute in signed_attrs:
        name = attribute["type"].native
        if name not in _PLAIN_ATTRIBUTES or name in attributes or len(attribute["values"]) != 1:
            return None
        attributes[name] = attribute["values"][0]
    if "message_digest" not in attributes or "content_type" not in attributes:
        return None
    if attributes["content_type"].native != "data":
        return None
    # The signer's certificate, by issuer and serial number; issuer names compared as DER, and
    # anything byte comparison cannot settle left to pyHanko (which normalises names).
    sid = signer_info["sid"]
    if sid.name != "issuer_and_serial_number" or signed_data["certificates"] is core.VOID:
        return None
    issuer, serial = sid.chosen["issuer"].chosen.dump(), sid.chosen["serial_number"].contents
    signer = None
    for choice in signed_data["certificates"]:
        if choice.name != "certificate":
            return None
        candidate = choice.chosen
        if candidate["tbs_certificate"]["serial_number"].contents == serial:
            if signer is not None or candidate.issuer.chosen.dump() != issuer:
                return None
            signer = candidate
    if signer is None:
        return None
    signer_der = signer.dump()
    facts = _certificate_facts(signer_der)
    if facts.public_key is None:
        return None
    certid = attributes.get("signing_certificate_v2")
    if certid is not None:
        if not len(certid["certs"]):
            return None
        certid = certid["certs"][0]
        if certid["hash_algorithm"]["algorithm"].native != "sha256":
            return None
        if certid["cert_hash"].native != hashlib.sha256(signer_der).digest():
            return None  # pyHanko raises: the attribute names another certificate
        issuer_serial = certid["issuer_serial"]
        if issuer_serial:
            names = issuer_serial["issuer"]
            if (
                len(names) != 1
                or names[0].name != "directory_name"
                or names[0].chosen.chosen.dump() != issuer
                or issuer_serial["serial_number"].contents != serial
            ):
                return None
    try:
        facts.public_key.verify(signer_info["signature"].native, signed_der, _SHA256_ECDSA)
        valid = True
    except InvalidSignature:
        valid = False
    chain = (signer_der, signed_data["certificates"].dump(), root_der)
    if valid and not _trusted_chains.trusted(chain, at):
        return None
    # The ByteRange's digest, its coverage and (for a signature followed by later revisions) the
    # difference analysis: pyHanko's own steps of its validator.
    embedded.compute_integrity_info()
    integrity = embedded.summarise_integrity_info()
    intact = embedded.compute_digest() == attributes["message_digest"].native
    return _Verdict(
        intact=intact,
        valid=valid,
        coverage=integrity["coverage"],
        docmdp_ok=integrity["docmdp_ok"],
        trusted=valid and intact,
        certificate=signer,
    )


def _pyhanko_verdict(embedded, root: asn1_x509.Certificate | None, at: datetime) -> _Verdict:
    context = ValidationContext(trust_roots=[root] if root else [], allow_fetching=False)
    status = validate_pdf_signature(embedded, context)
    certificate = embedded.signer_cert
    if status.trusted and root is not None:
        chain = (certificate.dump(), embedded.signed_data["certificates"].dump(), root.dump())
        _trusted_chains.remember(chain, status.validation_path, at)
    return _Verdict(
        intact=bool(status.intact),
        valid=bool(status.valid),
        coverage=status.coverage,
        docmdp_ok=status.docmdp_ok,
        trusted=bool(status.trusted),
        certificate=certificate,
    )


def _key_state(entry: dict | None, at: datetime) -> tuple[str, datetime | None, str]:
    if entry is None:
        return "unknown", None, ""
    revoked_at = parse_time(entry.get("revoked_at"))
    if revoked_at is not None and revoked_at <= at:
        return "revoked", revoked_at, entry.get("revocation_reason") or ""
    if at >= parse_time(entry["valid_until"]):
        return "expired", None, ""
    return "valid", None, ""


def _check(
    embedded, entry_for: Callable[[str], dict | None], root, now: datetime, problems: list[str]
) -> SignatureCheck:
    root_der = root.dump() if root is not None else None
    verdict = _plain_verdict(embedded, root_der, now) or _pyhanko_verdict(embedded, root, now)
    certificate = verdict.certificate
    kid = _kid_of(certificate)
    entry = entry_for(kid)
    key_status, revoked_at, reason = _key_state(entry, now)
    if entry is not None and _der_of_pem(entry["certificate"]) != certificate.dump():
        problems.append(
            _("The signature's certificate is not the one the trust list publishes for key %(kid)s.") % {"kid": kid}
        )
        key_status = "unknown"
    organisation = (entry or {}).get("organisation") or {}
    name = organisation.get("name_zh") or certificate.subject.native.get("organization_name", "")
    covers_whole_file = verdict.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check = SignatureCheck(
        field_name=embedded.field_name,
        kid=kid,
        organisation_id=organisation.get("id"),
        organisation_name=name,
        signed_at=embedded.self_reported_timestamp,
        intact=verdict.intact and verdict.valid,
        covers_whole_file=covers_whole_file,
        allowed_changes_only=covers_whole_file or bool(verdict.docmdp_ok),
        trusted=verdict.trusted,
        key_status=key_status,
        revoked_at=revoked_at,
        revocation_reason=reason,
    )
    if not check.intact:
        problems.append(_("The document was altered after %(signer)s signed it.") % {"signer": name})
    elif not check.allowed_changes_only:
        problems.append(_("The document was changed after %(signer)s signed it.") % {"signer": name})
    if key_status == "unknown" and entry is None:
        problems.append(_("The signing key %(kid)s is not in the trust list.") % {"kid": kid})
    elif key_status == "revoked":
        problems.append(
            _("The signing key %(kid)s of %(signer)s was revoked on %(date)s: %(reason)s")
            % {"kid": kid, "signer": name, "date": _date(revoked_at), "reason": reason}
        )
    elif key_status == "expired":
        problems.append(
            _("The signing key %(kid)s of %(signer)s expired on %(date)s.")
            % {"kid": kid, "signer": name, "date": _date(parse_time(entry["valid_until"]))}
        )
    elif not check.trusted:
        problems.append(_("The signer's certificate does not chain to the trust list's root."))
    return check


def _date(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _embedded_signatures(pdf: bytes) -> list | None:
    """The signatures of a PDF, None when it cannot be read. Strict parsing first (faster, and
    what well-formed documents pass), lenient parsing for the others."""
    for strict in (True, False):
        try:
            return PdfFileReader(io.BytesIO(pdf), strict=strict).embedded_signatures
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            continue
    return None


def verify_pdf(
    pdf: bytes, *, trust_list: dict | None = None, root_certificate: str | bytes | None = None
) -> PdfVerification:
    """Check a PDF's signatures. Against the platform's own keys when `trust_list` is None (a
    query for the root and one per signature); else against a downloaded signed trust list, its
    signature checked first with `root_certificate` (pinned by the caller) or the root it names."""
    result = PdfVerification(signed=False, intact=False, document_sha256=hashlib.sha256(pdf).hexdigest())
    now = timezone.now()
    if trust_list is None:
        root_key = current_root(create=False)
        root_pem = root_key.certificate_pem if root_key else None

        def entry_for(kid: str) -> dict | None:
            key = SigningKey.objects.select_related("organisation").filter(kid=kid, is_root=False).first()
            return key_entry(key, now) if key else None

    else:
        try:
            listed = verify_trust_list(trust_list, root_certificate=root_certificate)
        except TrustListError as exc:
            result.problems.append(str(exc))
            return result
        root_pem = listed["root"]["certificate"]
        entry_for = {entry["kid"]: entry for entry in listed["keys"]}.get
    embedded = _embedded_signatures(pdf)
    if embedded is None:
        result.problems.append(_("The file is not a readable PDF."))
        return result
    if not embedded:
        result.problems.append(_("The document carries no signature."))
        return result
    root = _asn1_certificate(root_pem) if root_pem else None
    problems: list[str] = []
    try:
        checks = [_check(signature, entry_for, root, now, problems) for signature in embedded]
    except Exception as exc:  # a malformed signature is a verdict, never a 500 on the public page
        log.info("signature not checkable: %s", exc, exc_info=True)
        result.signed = True
        result.problems.append(_("The signature cannot be checked: it is malformed or of an unsupported kind."))
        return result
    first = checks[0]
    result.signed = True
    result.signatures = checks
    result.intact = all(c.intact and c.allowed_changes_only for c in checks) and checks[-1].covers_whole_file
    if (
        all(c.intact for c in checks)
        and not checks[-1].covers_whole_file
        and all(c.allowed_changes_only for c in checks)
    ):
        problems.append(_("The document was changed after its last signature."))
    result.trusted = all(c.trusted for c in checks)
    result.organisation_name, result.organisation_id = first.organisation_name, first.organisation_id
    result.kid, result.signed_at = first.kid, first.signed_at
    worst = next((c for s in ("revoked", "unknown", "expired") for c in checks if c.key_status == s), first)
    result.key_status, result.revoked_at = worst.key_status, worst.revoked_at
    result.revocation_reason = worst.revocation_reason
    result.problems = problems
    return result
