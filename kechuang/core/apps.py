from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CoreConfig(AppConfig):
    verbose_name = gettext_lazy("核心")
    name = "kechuang.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kechuang.core.audit_guard import register_sqlite_function
        from kechuang.core.extensions import app_modules

        app_modules("access_rules")  # importing registers each app's @rule functions
        connection_created.connect(register_sqlite_function, dispatch_uid="kechuang_audit_guard")
