"""The public verification pages: by the code a document prints, and by the PDF itself."""

import hashlib

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from coordination import verification


def check_pdf(upload) -> bytes:
    if upload.size > settings.DOCUMENT_VERIFY_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": settings.DOCUMENT_VERIFY_MAX_BYTES // 2**20},
            code="too_large",
        )
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("This is not a PDF file."), code="not_pdf")
    return data


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=_("PDF of the document"))

    def clean_pdf(self) -> bytes:
        return check_pdf(self.cleaned_data["pdf"])


class VerifyCodeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=80)

    def clean_code(self) -> str:
        token = verification.normalise(self.cleaned_data["code"])
        if token is None:
            raise ValidationError(_("A verification code reads like 7K3Q-9XWD-2M4P."), code="invalid_code")
        return token


def _page(request, context: dict, status: int = 200):
    context.setdefault("code_form", VerifyCodeForm())
    context.setdefault("upload_form", VerifyUploadForm())
    context["trust_list_url"] = settings.SITE_URL + reverse("trust-list")
    return render(request, "documents/verify.html", context, status=status)


@require_GET
def document_verify(request, code: str):
    """What the QR code and the printed code lead to: the record of the document, or 404."""
    record = verification.find(code, request.user)
    return _page(request, {"record": record, "token": code}, status=200 if record is not None else 404)


@never_cache
@require_http_methods(["GET", "POST"])
def document_verify_upload(request):
    """Drop a PDF (or type a code): the document checked from its own signature."""
    from coordination.trust.pdf import verify_pdf

    code_form = VerifyCodeForm(request.GET or None)
    if code_form.is_bound and code_form.is_valid():
        return redirect("document-verify", code=code_form.cleaned_data["code"])
    context = {"code_form": code_form, "upload_form": VerifyUploadForm()}
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        context["upload_form"] = form
        if form.is_valid():
            data = form.cleaned_data["pdf"]
            context["checked"] = verify_pdf(data)
            context["record"] = verification.find(hashlib.sha256(data).hexdigest(), request.user)
            context["uploaded"] = True
        return _page(request, context, status=200 if form.is_valid() else 422)
    return _page(request, context)
