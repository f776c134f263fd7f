"""Navigation entries by role, so templates never decide access themselves."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import Role

# (url name, label, roles that see it)
NAV = [
    ("core:home", _("工作台"), None),
    ("needs:list", _("需求"), None),
    ("needs:create", _("提交需求"), {Role.COORDINATOR, Role.DISTRICT, Role.ENTERPRISE}),
    ("experts:list", _("专家"), {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.LIAISON}),
    (
        "experts:achievements",
        _("科技成果"),
        {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT, Role.LIAISON, Role.ENTERPRISE, Role.EXPERT},
    ),
    ("orgs:list", _("组织"), {Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT}),
]
EXTRA_NAV: list[tuple[str, str, set | None]] = []  # later apps append here
END_NAV = [("core:audit", _("审计日志"), {Role.COORDINATOR})]  # after the apps' entries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for name, label, roles in NAV + EXTRA_NAV + END_NAV:
        if roles is None or user.role in roles or user.is_superuser:
            items.append({"url": reverse(name), "label": label, "active": False})
    # the longest URL prefix of the current path is the active entry ("/needs/new/" is not also "/needs/")
    matches = [i for i in items if i["url"] != "/" and request.path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items, "role_label": Role(user.role).label if user.role else ""}
