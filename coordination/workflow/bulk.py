"""Writing many new rows at once: COPY on PostgreSQL, `bulk_create` elsewhere.

A batch of 500 cases writes some 5,000 rows: the cases, their participants and permission rows,
audit entries, events, notices. `bulk_create` sends them as one INSERT whose values it first
builds into text arrays that the server then parses again; COPY streams them, with less work on
both sides (bench/insurance.py: ~4× less time for the same rows). A handful of rows (one case
created) still go through `bulk_create`: one INSERT is one round trip, COPY two.
"""

from collections.abc import Callable, Iterable, Sequence

from django.db import connections, router

COPY_FROM_ROWS = 20

# Fields whose Python values the driver takes as they are; every other field converts its
# values itself (`get_db_prep_save`: dates made aware, JSON wrapped, numbers encrypted…).
AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _to_db(field, connection) -> Callable | None:
    """How a Python value of the field becomes what the driver is sent (None: as it is)."""
    if type(field).__module__.startswith("django.") and field.get_internal_type() in AS_IS:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _copy(connection, rows: int) -> bool:
    return connection.vendor == "postgresql" and rows >= COPY_FROM_ROWS


def _copy_rows(connection, model, fields: list, rows: list[list], *, returning_ids: bool) -> list[int] | None:
    meta = model._meta
    converters = [(i, convert) for i, field in enumerate(fields) if (convert := _to_db(field, connection))]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    ids = None
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if returning_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, quote(meta.pk.column))
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN") as copy:
            for n, values in enumerate(rows):
                for i, convert in converters:
                    values[i] = convert(values[i])
                copy.write_row([ids[n], *values] if ids else values)
    return ids


def rows_insert(
    model, columns: Sequence[str], rows: Iterable[Sequence], *, returning_ids: bool = False, using: str | None = None
) -> list[int] | None:
    """Insert new rows into `model`'s table without building instances: `columns` name its fields
    (foreign keys by their `_id`), each row gives their Python values. Fields not named take
    their default, the same for every row; no `save()`, no signals. With `returning_ids`, the
    primary keys of the rows in order (for COPY drawn from the table's sequence first)."""
    rows = [list(row) for row in rows]
    if not rows:
        return [] if returning_ids else None
    db = using or router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    named = {field.attname for field in fields}
    defaults = {}
    for field in meta.concrete_fields:
        if field.attname in named or field.primary_key or getattr(field, "generated", False):
            continue
        defaults[field.attname] = default = field.get_default()
        if default is None and not field.null:
            raise ValueError(f"{meta.label}.{field.attname} has no default: name it in the columns")
    if not _copy(connection, len(rows)):
        objects = [model(**defaults, **dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.using(db).bulk_create(objects, batch_size=500)
        return [obj.pk for obj in objects] if returning_ids else None
    fields += [meta.get_field(name) for name in defaults]
    fixed = list(defaults.values())
    return _copy_rows(connection, model, fields, [row + fixed for row in rows], returning_ids=returning_ids)


def instances_insert(objects: Sequence, *, using: str | None = None) -> list:
    """Insert unsaved instances of one model as `bulk_create` does (their primary keys are set;
    no `save()`, no signals), through COPY when there are enough of them."""
    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    db = using or router.db_for_write(model)
    connection = connections[db]
    if not _copy(connection, len(objects)):
        return model._default_manager.using(db).bulk_create(objects, batch_size=500)
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "generated", False)
    ]
    # pre_save: the value bulk_create would write (auto_now fields set, files committed).
    rows = [[field.pre_save(obj, True) for field in fields] for obj in objects]
    ids = _copy_rows(connection, model, fields, rows, returning_ids=True)
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db
    return objects
