from django.contrib import admin

from kechuang.core.admin import ModelAdmin
from kechuang.experts.models import Achievement, Expert, Patent, Publication, ServiceTeam


class PublicationInline(admin.StackedInline):
    model = Publication
    extra = 0


class PatentInline(admin.StackedInline):
    model = Patent
    extra = 0


@admin.register(Expert)
class ExpertAdmin(ModelAdmin):
    list_display = ("name", "title", "affiliation", "availability")
    list_filter = ("title", "availability", "societies")
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
