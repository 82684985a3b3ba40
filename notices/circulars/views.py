"""Pages of circulars: the public verification page the QR code points to, and the download.

The verification page says which circular a hash names, who issued it and when — never its
body, which only the people who may see the circular read, by downloading it. The download
answers 404 to anybody else (its existence is not leaked), and names the file in Chinese
(RFC 6266 with an RFC 5987 `filename*`, and an ASCII `filename` for old clients).
"""

from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from notices.circulars.selectors import can_see_circular, circular_for_user, issued_circular_by_hash
from notices.models.circulars import Circular


@require_GET
def circular_verify(request, digest: str):
    circular = issued_circular_by_hash(digest)
    if circular is None:
        raise Http404
    matched = "content" if circular.content_sha256 == digest.lower() else "file"
    can_download = request.user.is_authenticated and can_see_circular(request.user, circular)
    return render(
        request,
        "circulars/verify.html",
        {"circular": circular, "matched": matched, "can_download": can_download},
    )


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
