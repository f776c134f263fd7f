"""The top navigation by role, composed from each app's ``nav.py`` (templates never decide access)."""

from __future__ import annotations

from functools import cache

from kechuang.accounts.models import Role
from kechuang.core.extensions import app_modules
from kechuang.core.rows import fixed_url


@cache
def nav_entries() -> list[tuple[str, str, frozenset | None]]:
    """Every app's ``NAV`` entries, apps ordered by their ``ORDER`` (then ``INSTALLED_APPS``)."""
    modules = sorted(app_modules("nav"), key=lambda m: getattr(m, "ORDER", 100))
    return [(name, label, frozenset(roles) if roles else None) for m in modules for name, label, roles in m.NAV]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for name, label, roles in nav_entries():
        if roles is None or user.role in roles or user.is_superuser:
            items.append({"url": fixed_url(name), "label": label, "active": False})
    # the longest URL prefix of the current path is the active entry ("/needs/new/" is not also "/needs/")
    matches = [i for i in items if i["url"] != "/" and request.path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items, "role_label": Role(user.role).label if user.role else ""}
