from django.contrib import admin

from kechuang.core.models import AuditEntry


class UnchangedSaveAdminMixin:
    """Saving an admin page unchanged writes nothing: no ``save()`` (so ``auto_now`` stamps and the
    records' history stay as they were) and no "没有字段被修改" entry in the admin log. Django's own
    behaviour otherwise: changed inline rows are saved by their formsets as usual."""

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        if not message:  # construct_change_message() found no changed field in the form or any inline
            return None
        return super().log_change(request, obj, message)


class ModelAdmin(UnchangedSaveAdminMixin, admin.ModelAdmin):
    """The project's ModelAdmin (every app's admin classes derive from it)."""


class ReadOnlyAdminMixin:
    """For records whose writes belong to services (history, audit, notifications): the admin
    may look, never add, edit or delete — that would bypass the service's rules and its audit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_username", "object_id")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
