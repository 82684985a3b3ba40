"""The ledger's two steps on the database: taking a balance's row lock, and writing the
balance with its movement. On PostgreSQL both are written-out statements: the time between
taking the lock and committing is what limits reservations of one hot item, and Django's query
building filled most of it (bench/supplies.py). Elsewhere (SQLite, which locks the whole
database anyway) the ORM does both."""

from django.db import connection

from supplies.models import StockBalance, StockMovement, SupplyItem, Warehouse


def balance_lock(warehouse: Warehouse, item: SupplyItem, *, create: bool) -> StockBalance | None:
    """The balance, locked until the transaction ends; created (empty) first when `create`, by
    INSERT … ON CONFLICT DO NOTHING, so two first receipts at once cannot both create it."""
    balance = _locked(warehouse, item)
    if balance is None and create:
        StockBalance.objects.bulk_create([StockBalance(warehouse=warehouse, item=item)], ignore_conflicts=True)
        balance = _locked(warehouse, item)
    return balance


def _postgres_lock_sql() -> str:
    meta = StockBalance._meta
    columns = ", ".join(field.column for field in meta.concrete_fields)
    return f"SELECT {columns} FROM {meta.db_table} WHERE warehouse_id = %s AND item_id = %s FOR UPDATE"  # noqa: S608


POSTGRES_LOCK = _postgres_lock_sql()
BALANCE_ATTNAMES = [field.attname for field in StockBalance._meta.concrete_fields]


def _locked(warehouse: Warehouse, item: SupplyItem) -> StockBalance | None:
    """SELECT … FOR UPDATE of the balance, or None. Building it through the ORM costs ~0.8 ms of
    Python per call on the bench machine, written out 0.1 ms."""
    if connection.vendor != "postgresql":
        try:
            return StockBalance.objects.select_for_update().get(warehouse=warehouse, item=item)
        except StockBalance.DoesNotExist:
            return None
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_LOCK, [warehouse.pk, item.pk])
        row = cursor.fetchone()
    return None if row is None else StockBalance.from_db(connection.alias, BALANCE_ATTNAMES, row)


# The movement's columns, in the order `movement_write` sends them.
MOVEMENT_FIELDS = (
    "kind",
    "warehouse_id",
    "item_id",
    "on_hand_delta",
    "reserved_delta",
    "on_hand_after",
    "reserved_after",
    "reason",
    "actor_id",
    "organisation_id",
    "at",
    "dispatch_id",
    "reference_type_id",
    "reference_id",
)


def _postgres_write_sql() -> str:
    balances, movements = StockBalance._meta, StockMovement._meta
    column_of = {field.attname: field.column for field in movements.concrete_fields}
    columns = ", ".join(column_of[name] for name in MOVEMENT_FIELDS)
    placeholders = ", ".join(["%s"] * len(MOVEMENT_FIELDS))
    # Names from the models' meta, every value a parameter.
    return (
        f"WITH balance AS (UPDATE {balances.db_table} SET on_hand = %s, reserved = %s, updated_at = %s"  # noqa: S608
        f" WHERE id = %s) INSERT INTO {movements.db_table} ({columns}) VALUES ({placeholders}) RETURNING id"
    )


POSTGRES_WRITE = _postgres_write_sql()


def movement_write(balance: StockBalance, movement: StockMovement) -> None:
    """The balance's new quantities and its movement. On PostgreSQL in one statement (a
    data-modifying WITH) while the row lock is held: two ORM saves there cost ~2 ms of Python
    on the bench machine, this ~0.1 ms. Elsewhere (SQLite, which locks the whole database
    anyway) two ORM saves."""
    if connection.vendor != "postgresql":
        balance.save(update_fields=["on_hand", "reserved", "updated_at"])
        movement.save()
        return
    values = [getattr(movement, name) for name in MOVEMENT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_WRITE, [balance.on_hand, balance.reserved, movement.at, balance.pk, *values])
        movement.pk = cursor.fetchone()[0]
    movement._state.adding = False
    movement._state.db = connection.alias
