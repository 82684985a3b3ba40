"""The suppliers an F2 reply names, as stored on the request (a JSON list): each a dict that
reads as a sentence, kept in a module of its own because the model's migration names its decoder."""

import json

from django.utils.translation import gettext

from coordination.models import Region


class SupplierFound(dict):
    """One supplier a reply names — {"name", "city" (a GB/T 2260 city code, or ""),
    "quantity", "resumption_date"} — reading as a sentence where the case page prints it."""

    def __str__(self):
        city = Region.objects.filter(code=self.get("city")).first() if self.get("city") else None
        values = {
            "name": self.get("name", ""),
            "quantity": self.get("quantity", ""),
            "date": self.get("resumption_date"),
        }
        if city is None:
            return gettext("%(name)s: %(quantity)s, supplying from %(date)s") % values
        return gettext("%(name)s (%(city)s): %(quantity)s, supplying from %(date)s") % {**values, "city": city.name}


class SuppliersDecoder(json.JSONDecoder):
    """Reads a reply's suppliers back from the database as SupplierFound."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("object_hook", SupplierFound)
        super().__init__(*args, **kwargs)
