"""User admin: coordinators (staff, not superusers) manage accounts but cannot hand out privileges.

Only a superuser may make someone staff or superuser, or grant permissions and groups; nobody but
a superuser may edit a superuser's account (its password included). Every change made here is
written to the audit trail with the fields that changed (password: only that it changed).
"""

from datetime import UTC, datetime

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Area, User
from kechuang.core.admin import ModelAdmin
from kechuang.core.audit import audit

PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "area", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        (gettext_lazy("科创对接"), {"fields": ("role", "display_name", "organisation", "area", "expert", "phone")}),
    )
    autocomplete_fields = ("organisation", "expert")

    def get_readonly_fields(self, request, obj=None):
        ro = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            ro += [f for f in PRIVILEGE_FIELDS if f not in ro]
        return ro

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    # --- audit -----------------------------------------------------------------------------

    def save_related(self, request, form, formsets, change):
        """After the user and its relations are saved: one audit entry with what changed."""
        super().save_related(request, form, formsets, change)
        changes = {}
        for name in form.changed_data:
            if name in ("password", "password1", "password2", "usable_password"):
                changes["password"] = gettext("已修改") if change else gettext("已设置")
                continue
            before, after = _plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))
            if before != after:  # the form's round trip drops microseconds, which is no change
                changes[name] = {"from": before, "to": after}
        audit(request.user, "admin.user_change" if change else "admin.user_add", form.instance, changes)

    def delete_model(self, request, obj):
        audit(request.user, "admin.user_delete", obj, {"username": obj.username, "role": obj.role})
        super().delete_model(request, obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = User.objects.filter(pk=id).first()
            if target is not None:
                audit(request.user, "admin.user_password_set", target, {"password": "已修改"})
        return response


def _plain(value):
    """A form value as JSON: objects by primary key, collections sorted, the rest as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "__iter__") and not isinstance(value, str):
        return sorted((_plain(v) for v in value), key=str)
    return str(value)


@admin.register(Area)
class AreaAdmin(ModelAdmin):
    list_display = ("name", "code", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
