"""Models of the coordination app: reference data, organisations and people (and, from the
workflow engine on, cases)."""

from coordination.models.catalogue import Mechanism
from coordination.models.organisations import Membership, Organisation
from coordination.models.regions import Region

__all__ = ["Mechanism", "Membership", "Organisation", "Region"]
