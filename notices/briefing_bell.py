"""Telling the leaders' open dashboards that their briefing's figures changed.

Receiver of coordination's `briefing_refreshed` (a refresh of a snapshot changed its figures;
connected in notices/apps.py): one `notices.briefing` message on the socket group of each leader
whose briefing it is. Their consumer passes `{"type": "briefing", "scope": …}` to the browser,
which re-reads the panels (static/js/briefing.js). A lost message costs at most the minute until
the page re-reads them anyway.
"""

from coordination.briefing.service import briefing_leader_ids
from notices.doorbell import ring, user_group


def briefing_bell(sender, *, scope_key: str, **kwargs) -> None:
    message = {"type": "notices.briefing", "scope": scope_key}
    ring([(user_group(user_id), message) for user_id in briefing_leader_ids(scope_key)])
