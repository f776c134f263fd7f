"""The actor's name is kept in the row; the actor FK loses its constraint (deleting a user touches no audit row)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_usernames(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    AuditEntry.objects.using(schema_editor.connection.alias).filter(actor__isnull=False).update(
        actor_username=Subquery(User.objects.filter(pk=OuterRef("actor_id")).values("username")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="actor_username",
            field=models.CharField(blank=True, db_index=True, max_length=150, verbose_name="操作人账号"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.RunPython(fill_usernames, migrations.RunPython.noop),
    ]
