from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdminMixin
from kechuang.needs.models import Need, NeedStatusChange


class HistoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = NeedStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "at", "by", "note")
    can_delete = False


@admin.register(Need)
class NeedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: needs are written by the need services (intake, edits, status transitions) so
    that history, confidentiality rules and the audit trail are kept; coordinators use those pages."""

    list_display = ("title", "enterprise", "chain", "district", "status", "confidentiality", "major")
    list_filter = ("status", "confidentiality", "chain", "district", "kind", "major")
    search_fields = ("title", "problem", "enterprise__name")
    readonly_fields = ("status", "status_changed_at", "created_at")
    inlines = [HistoryInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from kechuang.needs.services import need_record_view

        need = self.get_object(request, object_id)
        if need is not None:
            need_record_view(user=request.user, need=need, via="admin")
        return super().change_view(request, object_id, form_url, extra_context)
