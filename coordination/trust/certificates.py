"""The X.509 certificates of the root and of each issuer, so that PDF readers and pyHanko find a
chain from a document's signer to the Regional Cooperation Office's root.

An issuer's subject is C=CN, O=CN=the organisation's Chinese name, serialNumber=its kid; the
certificate's serial number is the kid's 80 bits too (`crypto.kid_serial_number`).
"""

from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

ROOT_NAME = "长三角区域合作办公室"


def _name(common_name: str, kid: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, kid),
        ]
    )


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not signs_certificates,  # non-repudiation: an issuer stands by its documents
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def root_certificate(
    private_key: ec.EllipticCurvePrivateKey,
    *,
    name: str,
    kid: str,
    serial: int,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """A self-signed CA certificate that signs issuers' certificates (and the trust list)."""
    subject = _name(name, kid)
    public_key = private_key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(private_key, hashes.SHA256())
    )


def issuer_certificate(
    public_key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    *,
    name: str,
    kid: str,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    root: x509.Certificate,
    root_private_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(name, kid))
        .issuer_name(root.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(min(not_after, root.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_private_key.public_key()), critical=False
        )
        .sign(root_private_key, hashes.SHA256())
    )


def to_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def public_key_pem(certificate: x509.Certificate) -> str:
    return (
        certificate.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_pem(pem: str | bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
