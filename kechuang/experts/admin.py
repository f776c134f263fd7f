from django.contrib import admin

from kechuang.core.admin import ModelAdmin
from kechuang.experts.models import Achievement, ContactRequest, Expert, Patent, Publication, ServiceTeam


class PublicationInline(admin.StackedInline):
    model = Publication
    extra = 0


class PatentInline(admin.StackedInline):
    model = Patent
    extra = 0


@admin.register(Expert)
class ExpertAdmin(ModelAdmin):
    list_display = ("name", "title", "affiliation", "availability", "contact_public")
    list_filter = ("title", "availability", "contact_public", "societies")
    search_fields = ("name", "affiliation__name")
    filter_horizontal = ("societies",)
    inlines = [PublicationInline, PatentInline]


@admin.register(Achievement)
class AchievementAdmin(ModelAdmin):
    list_display = ("title", "owner_society", "maturity", "transfer_mode")
    list_filter = ("maturity", "transfer_mode", "owner_society")
    search_fields = ("title",)


@admin.register(ServiceTeam)
class ServiceTeamAdmin(ModelAdmin):
    list_display = ("name", "theme", "target_city")
    filter_horizontal = ("societies", "experts", "chains")


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    """Read-only: requests move only through ``experts.services`` (one transaction, audited)."""

    list_display = ("enterprise", "expert", "society", "status", "created_at")
    list_filter = ("status", "society")
    search_fields = ("enterprise__name", "expert__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
