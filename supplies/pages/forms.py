"""The page forms of M4 requests, read into the payloads the API takes, and the API's errors
read back onto the forms' rows. The case page's panel and the shortage board post the same
field names, so one reader serves both:

    pledge           line-<n>-quantity, line-<n>-source ("warehouse:<code>" | "capacity:<id>"),
                     line-<n>-ready_on, line-<n>-note
    withdraw_pledge  withdraw-<pledge>, reason
    allocate         accept-<pledge>
    dispatch         allocation, vehicle_plate, driver_name, driver_phone, route,
                     expected_arrival, ship-<pledge>
    record_hop       shipment, kind, place, at, note
    confirm_receipt  shipment, received-<shipment line>, reason-<shipment line>
    reconcile_shortfall  shortfall, resolution, note

Nothing is checked here: what the reader gives is validated by the transition's payload
serializer and its service, exactly as an API call is.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

ROW_FIELD = re.compile(r"^(?P<prefix>[a-z]+)-(?P<key>\d+)(?:-(?P<field>[a-z_]+))?$")


@dataclass(frozen=True)
class FormPayload:
    """A form read into a transition's payload. `many` names the payload's list of rows and
    `keys` the row of each entry (a line's number, a pledge's or shipment line's id), so an
    error about entry 2 is shown on its row; `keyed_errors`: the service names rows by their
    key rather than by their place in the list (allocation: by pledge)."""

    payload: dict
    many: str | None = None
    keys: list[int] = field(default_factory=list)
    keyed_errors: bool = False


def _text(post, name: str) -> str:
    return post.get(name, "").strip()


def _rows(post, prefix: str, field_name: str | None = None) -> list[tuple[int, str]]:
    """(key, value) of the fields named `<prefix>-<key>[-<field_name>]`, by key."""
    found = []
    for name, value in post.items():
        match = ROW_FIELD.match(name)
        if match and match["prefix"] == prefix and match["field"] == field_name:
            found.append((int(match["key"]), value.strip()))
    return sorted(found)


def _given(target: dict, post, *names: str) -> dict:
    """`target` with each named field that was filled in (an empty field is left out, as the
    API would not be sent it)."""
    for name in names:
        value = _text(post, name)
        if value:
            target[name] = value
    return target


def is_zero(value: str) -> bool:
    try:
        return Decimal(value) == 0
    except (InvalidOperation, ValueError):
        return False


def pledge_form(post) -> FormPayload:
    entries, keys = [], []
    for number, quantity in _rows(post, "line", "quantity"):
        if not quantity:
            continue
        entry = {"line": number, "quantity": quantity}
        kind, _sep, reference = _text(post, f"line-{number}-source").partition(":")
        if kind == "warehouse" and reference:
            entry["warehouse"] = reference
        elif kind == "capacity" and reference:
            entry["capacity"] = reference
            # Only production has a ready date: stock is ready now.
            if ready_on := _text(post, f"line-{number}-ready_on"):
                entry["ready_on"] = ready_on
        if note := _text(post, f"line-{number}-note"):
            entry["note"] = note
        entries.append(entry)
        keys.append(number)
    return FormPayload({"lines": entries}, "lines", keys)


def withdraw_form(post) -> FormPayload:
    pledges = [pk for pk, checked in _rows(post, "withdraw") if checked]
    return FormPayload(_given({"pledges": pledges}, post, "reason"), "pledges", pledges)


def allocate_form(post) -> FormPayload:
    accepted = [(pk, quantity) for pk, quantity in _rows(post, "accept") if quantity and not is_zero(quantity)]
    return FormPayload(
        {"accept": [{"pledge": pk, "quantity": quantity} for pk, quantity in accepted]},
        "accept",
        [pk for pk, _quantity in accepted],
        keyed_errors=True,
    )


def dispatch_form(post) -> FormPayload:
    shipped = [(pk, quantity) for pk, quantity in _rows(post, "ship") if quantity and not is_zero(quantity)]
    payload = _given(
        {}, post, "allocation", "vehicle_plate", "driver_name", "driver_phone", "route", "expected_arrival"
    )
    payload["lines"] = [{"pledge": pk, "quantity": quantity} for pk, quantity in shipped]
    return FormPayload(payload, "lines", [pk for pk, _quantity in shipped])


def hop_form(post) -> FormPayload:
    return FormPayload(_given({}, post, "shipment", "kind", "place", "at", "note"))


def receipt_form(post) -> FormPayload:
    # Every line of the shipment is confirmed, an empty one too (the API says what is missing);
    # in the order of their ids, the order the service names them in.
    lines = []
    for pk, received in _rows(post, "received"):
        entry = {"shipment_line": pk, "received": received}
        if reason := _text(post, f"reason-{pk}"):
            entry["shortfall_reason"] = reason
        lines.append(entry)
    payload = _given({}, post, "shipment")
    payload["lines"] = lines
    return FormPayload(payload, "lines", [entry["shipment_line"] for entry in lines])


def reconcile_form(post) -> FormPayload:
    return FormPayload(_given({}, post, "shortfall", "resolution", "note"))


READERS = {
    "pledge": pledge_form,
    "withdraw_pledge": withdraw_form,
    "allocate": allocate_form,
    "dispatch": dispatch_form,
    "record_hop": hop_form,
    "confirm_receipt": receipt_form,
    "reconcile_shortfall": reconcile_form,
}
PAGE_ACTIONS = tuple(READERS)


def page_payload(name: str, post) -> dict:
    """The declaration's `page_payload`: the API's payload of the transition's page form."""
    return READERS[name](post).payload


# --- errors, back onto the form -------------------------------------------------------------------


@dataclass
class FormErrors:
    """A refused form's errors: about the form as a whole, per field, and per row (its key)."""

    general: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.general or self.fields or self.rows)


def _messages(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _row_fields(value) -> dict[str, list[str]]:
    if isinstance(value, dict):
        return {name: _messages(messages) for name, messages in value.items()}
    return {"non_field_errors": _messages(value)}


def form_errors(errors, form: FormPayload) -> FormErrors:
    """The details of an `Invalid` (the payload serializer's errors, or a service's naming a
    row by its place `{"lines": {"0": …}}` or by its key) sorted onto the form."""
    found = FormErrors()
    for name, value in (errors or {}).items():
        if name == "non_field_errors":
            found.general += _messages(value)
        elif name != form.many:
            found.fields[name] = _messages(value)
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                if item and index < len(form.keys):
                    found.rows[form.keys[index]] = _row_fields(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if not str(key).isdigit():
                    found.general += _messages(item)
                elif form.keyed_errors:
                    found.rows[int(key)] = _row_fields(item)
                elif int(key) < len(form.keys):
                    found.rows[form.keys[int(key)]] = _row_fields(item)
        else:
            found.general += _messages(value)
    return found
