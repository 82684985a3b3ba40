"""The workflow patterns of shared/DESIGN.md §2 as abstract case models, one module each.

A pattern declares its states and transitions once (`case_transition`, on django-fsm-2); each
transition names the object permission it needs, its payload, who is told and its effects. A
mechanism subclasses a pattern and adds its fields and its declaration
(coordination/workflow/mechanisms.py); it never writes state handling.
"""

from coordination.workflow.patterns.credential import CredentialCase
from coordination.workflow.patterns.notice import NoticeCase
from coordination.workflow.patterns.offers import OffersCase
from coordination.workflow.patterns.payloads import NoPayload, ReasonPayload, ReplyPayload
from coordination.workflow.patterns.request_reply import RequestReplyCase
from coordination.workflow.patterns.review import ReviewCase

__all__ = [
    "CredentialCase",
    "NoPayload",
    "NoticeCase",
    "OffersCase",
    "ReasonPayload",
    "ReplyPayload",
    "RequestReplyCase",
    "ReviewCase",
]
