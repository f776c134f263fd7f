import atexit

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
        # the page cache follows what pages read and what is written (ADR 0059)
        from django.core.signals import request_finished, request_started
        from django.db import connections

        from kechuang.core import pagecache

        connection_created.connect(pagecache.install, dispatch_uid="kechuang_page_cache")
        request_started.connect(pagecache.install_current, dispatch_uid="kechuang_page_cache_install")
        request_finished.connect(pagecache.flush_all, dispatch_uid="kechuang_page_cache_flush")
        atexit.register(pagecache.flush_all)
        for conn in connections.all(initialized_only=True):
            pagecache.install(conn)
