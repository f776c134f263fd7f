"""Many rows of one model inserted with one ``executemany``, not through Django's insert compiler.

``bulk_create`` builds a multi-row INSERT per batch and runs every value through the compiler
(``pre_save_val``, ``prepare_value``, ``field_as_sql``, placeholders assembled per row): for the
bookkeeping rows of a bulk import — history, audit entries, stage facts, 10,000 of each, whose ids
nobody reads afterwards — that machinery was most of the cost of writing them (ADR 0041).
``insert_many`` prepares each value exactly as the compiler does (``field.pre_save(obj, add=True)``,
then ``field.get_db_prep_save(value, connection)``) and hands the rows to the driver with one
statement. Like ``bulk_create`` it sends no signal; unlike it, it does not set the objects' ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router
from django.db.models.constants import OnConflict
from django.db.models.fields import NOT_PROVIDED


def insert_many(
    objs: Sequence[models.Model],
    *,
    using: str | None = None,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    returning: bool = False,
) -> int:
    """INSERT ``objs`` (all of one model, plain values — no expressions); returns the rows sent.

    An auto-increment primary key is left to the database (the objects' ``pk`` stays None). With
    ``unique_fields`` and ``update_fields`` a row that conflicts updates those fields (an upsert, as
    ``bulk_create(update_conflicts=True, ...)``; the backend's own ON CONFLICT clause).

    ``returning``: the objects are new rows whose ids are wanted (the records themselves, not their
    bookkeeping): they are sent as ``bulk_create`` sends them — multi-row INSERTs of the backend's
    batch size with ``RETURNING`` the primary key, which is set on each object in order — and
    marked saved (``_state.adding = False``), still without the compiler's per-value path.
    """
    if not objs:
        return 0
    model = type(objs[0])
    opts = model._meta
    using = using or router.db_for_write(model)
    connection = connections[using]
    fields = [
        f for f in opts.concrete_fields
        if not f.generated and not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField))
    ]
    if any(f.db_default is not NOT_PROVIDED for f in fields):
        raise ValueError(f"insert_many: {opts.label} has a db_default field; use bulk_create")
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 — quoted identifiers from the model; values are parameters
        qn(opts.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    if update_fields:
        by_name = {f.name: f for f in opts.concrete_fields}
        sql += " " + connection.ops.on_conflict_suffix_sql(
            fields,
            OnConflict.UPDATE,
            [by_name[n].column for n in update_fields],
            [by_name[n].column for n in unique_fields],
        )
    preps = [(f.pre_save, f.get_db_prep_save) for f in fields]
    if returning:
        if update_fields or not connection.features.can_return_rows_from_bulk_insert:
            raise ValueError("insert_many(returning=True): not with an upsert, nor on this database")
        for obj in objs:  # what bulk_create checks first: related objects saved, their ids copied
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
    rows = [
        [prep(pre_save(obj, True), connection) for pre_save, prep in preps]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(sql, rows)
            return len(rows)
        head, values = sql.split(" VALUES ", 1)
        ret_sql, ret_params = connection.ops.return_insert_columns([opts.pk])
        size = max(1, connection.ops.bulk_batch_size(fields, objs))
        for i in range(0, len(rows), size):
            batch = rows[i : i + size]
            cursor.execute(
                f"{head} VALUES {', '.join([values] * len(batch))} {ret_sql}",
                [v for row in batch for v in row] + list(ret_params),
            )
            returned = connection.ops.fetch_returned_insert_rows(cursor)
            if len(returned) != len(batch):  # pragma: no cover — the database broke its promise
                raise RuntimeError("insert_many: the database returned fewer ids than rows inserted")
            for obj, (pk, *_rest) in zip(objs[i : i + size], returned, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = using
    return len(rows)
