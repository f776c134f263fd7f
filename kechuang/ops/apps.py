from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform as a service: health, worker heartbeats, request logs, background jobs, backups."""

    name = "kechuang.ops"
    label = "ops"
    verbose_name = "运维"
