"""Admin for follow-up records (coordinators). Linked needs' status is never edited here."""

from django.contrib import admin

from kechuang.core.admin import ModelAdmin, ReadOnlyAdminMixin
from kechuang.followup.models import (
    Agreement,
    AgreementAttachment,
    Base,
    BaseService,
    Milestone,
    Visit,
    VisitStop,
)


class VisitStopInline(admin.TabularInline):
    model = VisitStop
    extra = 0
    fields = ("order", "enterprise", "minutes", "urgency", "findings", "recommendations")
    raw_id_fields = ("enterprise",)


@admin.register(Visit)
class VisitAdmin(ModelAdmin):
    list_display = ("title", "date", "district", "park")
    list_filter = ("district",)
    search_fields = ("title",)
    date_hierarchy = "date"
    filter_horizontal = ("experts", "societies")
    inlines = [VisitStopInline]


@admin.register(VisitStop)
class VisitStopAdmin(ModelAdmin):
    list_display = ("visit", "enterprise", "order", "urgency", "diagnosed_at")
    list_filter = ("urgency",)
    search_fields = ("visit__title", "enterprise__name", "findings")
    raw_id_fields = ("visit", "enterprise", "needs")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Read-only: uploads go through the follow-up service (file checks, audit)."""

    model = AgreementAttachment
    extra = 0
    readonly_fields = ("uploaded_by", "uploaded_at")


@admin.register(Agreement)
class AgreementAdmin(ModelAdmin):
    list_display = ("title", "kind", "amount", "signed")
    list_filter = ("kind",)
    search_fields = ("title",)
    date_hierarchy = "signed"
    filter_horizontal = ("parties", "visits", "experts")
    raw_id_fields = ("needs", "event")
    inlines = [MilestoneInline, AttachmentInline]


class BaseServiceInline(admin.TabularInline):
    model = BaseService
    extra = 0


@admin.register(Base)
class BaseAdmin(ModelAdmin):
    list_display = ("name", "kind", "society", "host", "district", "unveiled")
    list_filter = ("kind", "district")
    search_fields = ("name",)
    inlines = [BaseServiceInline]
