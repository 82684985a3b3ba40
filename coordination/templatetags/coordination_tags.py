from datetime import timedelta

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration_label(value: timedelta) -> str:
    """A deadline as people say it: "30 minutes", "2 hours", "3 days"."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.filter
def get_item(mapping, key):
    """`{{ errors|get_item:field }}`: a dict lookup by a variable key."""
    if not hasattr(mapping, "get"):
        return None
    return mapping.get(key)
