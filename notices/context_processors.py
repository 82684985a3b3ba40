from notices.models import Mailbox, Notice


def inbox(request):
    """The unread count for the header badge, and the newest sequence number the page knows,
    from which the page's socket resumes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "inbox_unread": Notice.objects.filter(recipient=user, read_at__isnull=True).count(),
        "inbox_last_seq": Mailbox.objects.filter(user=user).values_list("last_seq", flat=True).first() or 0,
    }
