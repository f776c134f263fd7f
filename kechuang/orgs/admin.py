from django.contrib import admin

from kechuang.core.admin import ModelAdmin
from kechuang.orgs.models import IndustryChain, Organisation


@admin.register(IndustryChain)
class IndustryChainAdmin(ModelAdmin):
    list_display = ("name", "task_force", "code", "order", "active")
    list_editable = ("order", "active")


@admin.register(Organisation)
class OrganisationAdmin(ModelAdmin):
    list_display = ("name", "kind", "district", "chain")
    list_filter = ("kind", "district", "chain")
    search_fields = ("name", "short_name")
