from django.contrib import admin

from kechuang.core.admin import ModelAdmin
from kechuang.events.models import (
    Event,
    Meeting,
    MeetingDay,
    MeetingRequest,
    PairRule,
    Participant,
    ScheduleRun,
    Table,
)


class MeetingDayInline(admin.StackedInline):
    model = MeetingDay
    extra = 0


class TableInline(admin.TabularInline):
    model = Table
    extra = 0


@admin.register(Event)
class EventAdmin(ModelAdmin):
    list_display = ("title", "kind", "start", "venue", "district", "scale")
    list_filter = ("kind", "district")
    search_fields = ("title", "venue")
    filter_horizontal = ("organisers", "societies")
    inlines = [MeetingDayInline, TableInline]


@admin.register(Participant)
class ParticipantAdmin(ModelAdmin):
    list_display = ("name", "kind", "organisation", "event", "status", "arrived_at")
    list_filter = ("kind", "status", "event")
    search_fields = ("name", "organisation__name")
    raw_id_fields = ("event", "organisation", "expert", "user", "registered_by")
    filter_horizontal = ("needs",)


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ModelAdmin):
    list_display = ("enterprise", "expert", "direction", "status", "priority", "event")
    list_filter = ("direction", "status", "event")
    raw_id_fields = ("event", "enterprise", "expert", "need", "created_by", "responded_by")


@admin.register(PairRule)
class PairRuleAdmin(ModelAdmin):
    list_display = ("enterprise", "expert", "action", "event")
    list_filter = ("action",)
    raw_id_fields = ("event", "enterprise", "expert", "created_by")


class ReadOnlyAdmin(ModelAdmin):
    """Schedules are written by the services (constraints, seats, audit): the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("event", "slot", "table", "enterprise", "expert", "status", "outcome")
    list_filter = ("status", "outcome", "event")


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = ("event", "kind", "status", "n_meetings", "breaks", "bound", "seconds", "created_at")
    list_filter = ("kind", "status")
