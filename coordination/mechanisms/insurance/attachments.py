"""What a filing's attachment may be: a PDF, JPEG or PNG, recognised by its first bytes (a
renamed executable is refused whatever its name says), within the configured size."""

from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class InvalidAttachment(ValueError):
    pass


def sniff(head: bytes) -> str | None:
    for content_type, signatures in SIGNATURES.items():
        if head.startswith(signatures):
            return content_type
    return None


def check_attachment(upload) -> str:
    """The content type of an uploaded file, or InvalidAttachment saying why it is refused."""
    limit = settings.INSURANCE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise InvalidAttachment(_("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1024 / 1024:g}"})
    if upload.size == 0:
        raise InvalidAttachment(_("The file is empty."))
    claimed = EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
    if claimed is None:
        raise InvalidAttachment(_("Only PDF, JPEG and PNG files are accepted."))
    upload.seek(0)
    actual = sniff(upload.read(16))
    upload.seek(0)
    if actual != claimed:
        raise InvalidAttachment(_("The file's content is not what its name says (%(name)s).") % {"name": upload.name})
    return actual
