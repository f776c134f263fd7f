from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy


def create_cache_table(sender, using="default", verbosity=1, **kwargs) -> None:
    """After every `migrate`: the database cache's table (Django's createcachetable; a no-op when present)."""
    from django.conf import settings
    from django.core.management import call_command

    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class OpsConfig(AppConfig):
    """Running the platform as a service: health, worker heartbeats, request logs, background jobs, backups."""

    name = "kechuang.ops"
    label = "ops"
    verbose_name = gettext_lazy("运维")

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="kechuang.ops.createcachetable")
