"""Queries over many rows with little Python: a bulk UPDATE and an `any_in` lookup.

Django's bulk_update builds a CASE WHEN per field and row and resolves each as an ORM
expression: about 40 ms of Python for 20 series rows x 9 fields on the bench machine,
most of a storm batch. On PostgreSQL one `UPDATE ... FROM (VALUES ...)` carries the same
values with next to no Python; other databases keep Django's bulk_update.

`field__any_in=values` is `field IN (...)`, but on PostgreSQL `field = ANY(%s)` with one
array parameter: a batch looks up ~1,000 device names and ids, and an IN list of 1,000
placeholders costs ~6 ms of Python per query (each value prepared, then psycopg parses
the long SQL back) against ~0.5 ms for one array. Registered on import, on Field and
ForeignKey (a new lookup name; nothing else changes).
"""

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field, ForeignKey, Model
from django.db.models.lookups import In


@Field.register_lookup
@ForeignKey.register_lookup
class AnyIn(In):
    lookup_name = "any_in"

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, [v for v in self.rhs if v is not None])


CHUNK = 1000  # rows per statement: bounded SQL size and parameter count


def bulk_update(objs: list[Model], fields: list[str]) -> None:
    if not objs:
        return
    model = type(objs[0])
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql":
        model._default_manager.bulk_update(objs, fields)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    q = conn.ops.quote_name
    row = "(" + ", ".join(f"%s::{f.db_type(conn)}" for f in columns) + ")"
    sets = ", ".join(f"{q(f.column)} = v.{q(f.column)}" for f in columns[1:])
    names = ", ".join(q(f.column) for f in columns)
    pk = q(meta.pk.column)
    with conn.cursor() as cursor:
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), conn) for obj in chunk for f in columns
            ]
            cursor.execute(
                f"UPDATE {q(meta.db_table)} AS t SET {sets} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v ({names}) "
                f"WHERE t.{pk} = v.{pk}",
                params,
            )


def insert_new(objs: list[Model], key: tuple[str, ...]) -> list[Model]:
    """INSERT the rows no unique constraint refuses; return those inserted, their pk set.

    PostgreSQL: one INSERT ... ON CONFLICT DO NOTHING RETURNING the pk and `key`, matched
    back to the objects by `key` (unique among `objs`). Elsewhere, or when `key` repeats:
    one bulk_create in a savepoint, and row by row in savepoints when that conflicts.
    """
    if not objs:
        return []
    model = type(objs[0])
    conn = connections[router.db_for_write(model)]
    keys = [tuple(getattr(obj, name) for name in key) for obj in objs]
    if conn.vendor != "postgresql" or len(set(keys)) < len(keys):
        return _insert_in_savepoints(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    q = conn.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = ", ".join(q(meta.get_field(name).column) for name in (meta.pk.attname, *key))
    params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for obj in objs for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * len(objs))} ON CONFLICT DO NOTHING RETURNING {returning}",
            params,
        )
        inserted = {tuple(r[1:]): r[0] for r in cursor.fetchall()}
    out = []
    for obj, k in zip(objs, keys, strict=True):
        if k in inserted:
            obj.pk = inserted[k]
            obj._state.adding, obj._state.db = False, conn.alias
            out.append(obj)
    return out


def _insert_in_savepoints(objs: list[Model]) -> list[Model]:
    manager = type(objs[0])._default_manager
    try:
        with transaction.atomic():
            manager.bulk_create(objs)
        return objs
    except IntegrityError:
        pass
    out = []
    for obj in objs:
        obj.pk = None
        obj._state.adding = True
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
            out.append(obj)
        except IntegrityError:
            obj.pk = None
    return out
