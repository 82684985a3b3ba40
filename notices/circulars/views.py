"""Pages of circulars: the organisation's circulars (drafts, awaiting sign-off, issued), one
circular with the steps the user may take (preview, submit, sign off, return, revoke), the
drafting form, and the download.

The download answers 404 to anybody who may not see the circular (its existence is not
leaked), and names the file in Chinese (RFC 6266 with an RFC 5987 `filename*`, and an ASCII
`filename` for old clients). The verification page the QR code points to is the platform's
one verification (coordination/verification); the old `/circulars/verify/<digest>/` redirects there.
"""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from coordination.errors import DomainError
from coordination.models import Organisation
from notices.circulars import services
from notices.circulars.selectors import circular_for_user, visible_circulars
from notices.models.circulars import Circular


@require_GET
def circular_verify(request, digest: str):
    """The verification link printed before the one verification existed: kept, redirected."""
    return redirect("document-verify", code=digest, permanent=True)


STEP_SERVICES = {
    "submit": (services.circular_submit, _("Submitted for sign-off.")),
    "sign_off": (services.circular_sign_off, _("Signed off.")),
    "return": (services.circular_return, _("Returned to the drafter.")),
    "revoke": (services.circular_revoke, _("Revoked.")),
    "retry": (services.circular_retry, _("The render is queued again.")),
}


def _circular_context(user, circular) -> dict:
    return {
        "circular": circular,
        "actions": services.circular_actions(user, circular),
        "code": services.display_code(circular.verification_code or ""),
        "verify_url": services.verify_url(circular.verification_code) if circular.verification_code else "",
    }


@login_required
@require_GET
def circular_list(request):
    """The organisation's circulars and those addressed to it; a signer's queue first."""
    circulars = visible_circulars(request.user).select_related("issuer").order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Circular.Status.values:
        circulars = circulars.filter(status=status)
    awaiting = []
    if services.can_sign_off(request.user):
        awaiting = list(
            visible_circulars(request.user)
            .filter(issuer=request.user.membership.organisation, status=Circular.Status.AWAITING_SIGN_OFF)
            .select_related("created_by")
            .order_by("created_at")[:50]
        )
    return render(
        request,
        "circulars/list.html",
        {
            "circulars": circulars[:100],
            "awaiting": awaiting,
            "status": status,
            "statuses": Circular.Status.choices,
            "can_draft": services.can_issue(request.user),
        },
    )


@login_required
@require_GET
def circular_page(request, pk: int):
    circular = circular_for_user(request.user, pk)
    return render(request, "circulars/detail.html", _circular_context(request.user, circular))


@login_required
@require_POST
def circular_step(request, pk: int, step: str):
    if step not in STEP_SERVICES:
        raise Http404
    service, done = STEP_SERVICES[step]
    circular_for_user(request.user, pk)
    kwargs = {"by": request.user, "circular_id": pk}
    if step in ("sign_off", "return"):
        kwargs["comment"] = request.POST.get("comment", "")[:500]
    if step == "revoke":
        kwargs["reason"] = request.POST.get("reason", "")[:500]
    try:
        service(**kwargs)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(getattr(exc, "message", "")) or _("You may not do this."))
    else:
        messages.success(request, done)
    return redirect("circular-page", pk=pk)


class CircularForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    addressees = forms.ModelMultipleChoiceField(
        label=_("Addressee organisations"), queryset=Organisation.objects.order_by("region_id", "code")
    )
    body = forms.CharField(label=_("Body"), max_length=50000, widget=forms.Textarea(attrs={"rows": 14}))
    attachments = forms.CharField(
        label=_("Attachments, one per line"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    copy_to = forms.CharField(label=_("Copy to"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["addressees"] = list(data["addressees"])
        data["attachments"] = [line.strip() for line in data["attachments"].splitlines() if line.strip()]
        return data


@login_required
@require_http_methods(["GET", "POST"])
def circular_new(request):
    if not services.can_issue(request.user):
        raise PermissionDenied
    form = CircularForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circular = services.circular_draft_create(by=request.user, **form.fields_for_service())
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Draft saved. Preview it, then submit it for sign-off."))
            return redirect("circular-page", pk=circular.pk)
    return render(request, "circulars/form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_GET
@never_cache
def circular_preview_pdf(request, pk: int):
    pdf = services.circular_preview(by=request.user, circular_id=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{int(pk)}.pdf"'
    return response


def content_disposition(filename: str, fallback: str) -> str:
    """`attachment` with an ASCII fallback name and the real one per RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _user_of(request):
    if request.user.is_authenticated:
        return request.user
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return authenticated[0] if authenticated else None


@require_GET
@never_cache
def circular_pdf(request, pk: int):
    user = _user_of(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    circular = circular_for_user(user, pk)
    if circular.status != Circular.Status.ISSUED or not circular.pdf:
        raise Http404
    fallback = f"circular-{circular.year}-{circular.sequence}.pdf"
    # A circular is a few hundred kilobytes: read whole, no file handle outlives the request.
    with circular.pdf.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(circular.download_filename, fallback)
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{circular.sha256}"'
    return response
