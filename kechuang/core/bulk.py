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
) -> int:
    """INSERT ``objs`` (all of one model, plain values — no expressions); returns the rows sent.

    An auto-increment primary key is left to the database (the objects' ``pk`` stays None). With
    ``unique_fields`` and ``update_fields`` a row that conflicts updates those fields (an upsert, as
    ``bulk_create(update_conflicts=True, ...)``; the backend's own ON CONFLICT clause).
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
    rows = [
        [prep(pre_save(obj, True), connection) for pre_save, prep in preps]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
