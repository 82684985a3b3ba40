from notices.models import Mailbox, Notice


def inbox(request):
    """The unread count for the header badge, and the newest sequence number the page knows,
    from which the page's socket resumes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "circulars_awaiting": circulars_awaiting(user),
        "inbox_unread": Notice.objects.filter(recipient=user, read_at__isnull=True).count(),
        "inbox_last_seq": Mailbox.objects.filter(user=user).values_list("last_seq", flat=True).first() or 0,
    }


def circulars_awaiting(user) -> int:
    """For an office head or leader: their organisation's circulars awaiting sign-off."""
    from notices.circulars.services import can_sign_off
    from notices.models import Circular

    if not can_sign_off(user):
        return 0
    return Circular.objects.filter(
        issuer_id=user.membership.organisation_id, status=Circular.Status.AWAITING_SIGN_OFF
    ).count()
