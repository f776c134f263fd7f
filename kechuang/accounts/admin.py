from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kechuang.accounts.models import Area, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "area", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("科创对接", {"fields": ("role", "display_name", "organisation", "area", "expert", "phone")}),
    )
    autocomplete_fields = ("organisation", "expert")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
