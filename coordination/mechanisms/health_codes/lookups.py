"""A person's colour across the Delta, from the latest list of each region: green unless a list
names their ID number's keyed hash. The latest lists' ids are read once per process for
HEALTH_CODE_LISTS_SECONDS (and again after an upload in this process), so a lookup is one
indexed query on (digest, list)."""

import threading
import time
import weakref
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from coordination.mechanisms.health_codes.models import (
    ENTRY_COLOUR,
    ID_PURPOSE,
    SEVERITY,
    CodeList,
    CodeListEntry,
    Colour,
)
from coordination.pii import crypto


@dataclass(frozen=True)
class ListRef:
    id: int
    region: str
    list_date: str


_latest: tuple[float, tuple[ListRef, ...]] | None = None
_lock = threading.Lock()
_generation = 0  # moved on by every forget: a read that began before one is not kept


def latest_lists() -> tuple[ListRef, ...]:
    """Each region's newest list that is not superseded."""
    global _latest
    held = _latest
    if held is not None and time.monotonic() - held[0] < settings.HEALTH_CODE_LISTS_SECONDS:
        return held[1]
    generation = _generation
    newest = {}
    for pk, region, list_date in (
        CodeList.objects.filter(superseded_at__isnull=True)
        .order_by("region_id", "-list_date", "-uploaded_at")
        .values_list("pk", "region_id", "list_date")
    ):
        newest.setdefault(region, ListRef(pk, region, list_date.isoformat()))
    found = tuple(newest[region] for region in sorted(newest))
    with _lock:
        if generation == _generation:
            _latest = (time.monotonic(), found)
    return found


def forget_latest_lists() -> None:
    global _latest, _generation
    with _lock:
        _latest = None
        _generation += 1


@dataclass(frozen=True)
class Lookup:
    colour: str
    listed: tuple[tuple[ListRef, str], ...]  # the lists that name the person, with their colour
    checked: tuple[ListRef, ...]

    def as_dict(self) -> dict:
        return {
            "colour": self.colour,
            "listed": [
                {"region": ref.region, "list_date": ref.list_date, "colour": colour} for ref, colour in self.listed
            ],
            "checked_lists": [{"region": ref.region, "list_date": ref.list_date} for ref in self.checked],
        }


def colour_of_digest(digest: bytes) -> Lookup:
    lists = latest_lists()
    if not lists:
        return Lookup(Colour.GREEN, (), ())
    by_id = {ref.id: ref for ref in lists}
    rows = _entries(digest, list(by_id))
    listed = tuple((by_id[pk], str(ENTRY_COLOUR[code])) for pk, code in sorted(rows))
    colour = max((colour for _ref, colour in listed), key=SEVERITY.__getitem__, default=Colour.GREEN)
    return Lookup(str(colour), listed, lists)


# One server-binding cursor per database connection (connections are per thread), kept with it.
_cursors: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_QUERY = f"SELECT code_list_id, colour FROM {CodeListEntry._meta.db_table} WHERE digest = %s AND code_list_id"  # noqa: S608


def _entries(digest: bytes, list_ids: list[int]) -> list[tuple[int, str]]:
    """(list, colour) of the digest on those lists. On PostgreSQL through a cursor that binds
    on the server, so psycopg prepares the statement once per connection: a green-code query
    is then one round trip of a planned statement (Django's cursors bind on the client)."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        cursor = _cursors.get(connection.connection)
        if cursor is None or cursor.closed:
            import psycopg

            cursor = _cursors[connection.connection] = psycopg.Cursor(connection.connection)
        cursor.execute(_QUERY + " = ANY(%s)", [digest, list_ids], prepare=True)
        return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(_QUERY + f" IN ({', '.join(['%s'] * len(list_ids))})", [digest, *list_ids])
        return cursor.fetchall()


def colour_of(id_number: str) -> Lookup:
    """The colour of a (validated, normalised) ID number."""
    return colour_of_digest(crypto.search_digest(id_number, purpose=ID_PURPOSE))
