from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notices.email import email_choice, preference_set, preferences_of
from notices.models import Notice, NoticeKind, NotificationPreference
from notices.services import notice_mark_read, notices_mark_all_read


@login_required
def inbox(request):
    notices = Notice.objects.filter(recipient=request.user).order_by("-seq")
    kind = request.GET.get("kind", "")
    if kind in NoticeKind.values:
        notices = notices.filter(kind=kind)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/inbox.html",
        {"page": page, "kinds": NoticeKind.choices, "kind": kind, "unread_only": unread_only},
    )


@login_required
@require_POST
def notice_open(request, seq: int):
    """Mark the notice read and go to what it is about."""
    notice = get_object_or_404(Notice, recipient=request.user, seq=seq)
    notice_mark_read(user=request.user, seq=notice.seq)
    target = notice.link if url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None) else "inbox"
    return redirect(target or "inbox")


@login_required
@require_POST
def notice_read(request, seq: int):
    get_object_or_404(Notice, recipient=request.user, seq=seq)
    notice_mark_read(user=request.user, seq=seq)
    return redirect(request.POST.get("next") if _safe(request, request.POST.get("next")) else "inbox")


@login_required
def preferences(request):
    """Per kind of notice: e-mail immediately, in the daily digest, or not at all."""
    choices = dict(NotificationPreference.Email.choices)
    if request.method == "POST":
        for kind in NoticeKind.values:
            value = request.POST.get(kind)
            if value in choices:
                preference_set(user=request.user, kind=kind, email=value)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notice-preferences")
    current = preferences_of([request.user.pk])
    rows = [(value, label, email_choice(request.user.pk, value, current)) for value, label in NoticeKind.choices]
    return render(request, "notices/preferences.html", {"rows": rows, "choices": choices.items()})


@login_required
@require_POST
def notices_read_all(request):
    up_to = request.POST.get("up_to_seq", "")
    notices_mark_all_read(user=request.user, up_to_seq=int(up_to) if up_to.isdigit() else None)
    return redirect("inbox")


def _safe(request, url) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
