"""The audit table is append-only in the database: UPDATE and DELETE are refused however they are sent.

Runs on SQLite and on PostgreSQL (KECHUANG_DB=postgres); both raise IntegrityError.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from kechuang.core import audit
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    need = world.needs["conf_ent"]
    return audit.record(world.users["coordinator"], "need.update", need, {"title": "新标题"})


def refused(fn):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        fn()


def test_orm_update_is_refused(entry):
    refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="need.forged"))
    refused(lambda: AuditEntry.objects.all().update(actor_username="someone"))
    entry.refresh_from_db()
    assert entry.action == "need.update"


def test_model_save_of_an_existing_row_is_refused(entry):
    entry.object_repr = "改写"
    refused(entry.save)
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "改写"


def test_orm_delete_is_refused(entry):
    refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
    refused(entry.delete)
    refused(lambda: AuditEntry.objects.all().delete())
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_raw_sql_update_and_delete_are_refused(entry):
    table = AuditEntry._meta.db_table

    def raw(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])

        return run

    refused(raw(f"UPDATE {table} SET action = 'x' WHERE id = %s"))
    refused(raw(f"DELETE FROM {table} WHERE id = %s"))
    assert AuditEntry.objects.filter(pk=entry.pk, action="need.update").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgres(entry):
    refused(lambda: connection.cursor().execute(f"TRUNCATE {AuditEntry._meta.db_table}"))
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_inserting_still_works(entry):
    more = audit.record(None, "demo.load", entry)
    assert more.pk != entry.pk and more.actor_username == ""
    assert AuditEntry.objects.count() == 2


def test_deleting_a_user_keeps_their_entries_and_name(world, entry):
    coord = world.users["coordinator"]
    user_pk = coord.pk
    coord.delete()  # no SET_NULL (an UPDATE) and no FK constraint to trip
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor_username == "coordinator"
    assert kept.actor_id == user_pk
    assert "coordinator" in str(kept)


@pytest.mark.django_db(transaction=True)
def test_flush_alone_may_empty_the_table(world):
    """The test machinery's wipe (``flush``) still works; it is the only door, and it closes after."""
    audit.record(world.users["coordinator"], "need.update", world.needs["conf_ent"])
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    # the door is shut again on this connection
    from kechuang.accounts.models import User

    u = User.objects.create_user("after-flush", password="pw-test-123", role="coordinator")
    e = audit.record(u, "x.y", u)
    refused(lambda: AuditEntry.objects.filter(pk=e.pk).delete())


def test_admin_shows_entries_of_a_deleted_user(world, client_for):
    need = world.needs["conf_ent"]
    gone = audit.record(world.users["enterprise"], "need.update", need, {"title": "x"})
    world.users["enterprise"].delete()
    client = client_for("coordinator")
    listing = client.get(reverse("admin:core_auditentry_changelist"))
    assert listing.status_code == 200 and "enterprise" in listing.content.decode()
    page = client.get(reverse("admin:core_auditentry_change", args=[gone.pk]))
    assert page.status_code == 200 and "enterprise" in page.content.decode()
