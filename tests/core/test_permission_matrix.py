"""Every URL × every role × own/other object. Adding a URL without an entry here fails.

Statuses: 200 shown, 302 redirected (login, or back to the page after a POST), 401 API without a
session, 404 outside the user's scope (never 403: nobody learns the object exists).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")
ALL = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 302}


def per_role(**codes):
    return {"anonymous": 302} | codes


# which object each role calls "own" (in scope) and "other" (out of scope), by kind
OBJECTS = {
    "need": {
        "coordinator": ("conf_ent", "secret_ent2"),
        "district": ("pub_zone", "conf_ent"),
        "enterprise": ("conf_ent", "pub_laoshan"),
        "liaison": ("pub_laixi", "conf_ent"),
        "expert": ("pub_laixi", "secret_ent2"),
        "leadership": ("pub_laoshan", "secret_ent2"),
        "anonymous": ("pub_laixi", "conf_ent"),
    },
    "expert": dict.fromkeys(ROLES, ("own", "other")),
    "achievement": dict.fromkeys(ROLES, ("own", "other")),
    "org": {
        "coordinator": ("ent", "ent2"),
        "district": ("ent", "ent2"),
        "enterprise": ("ent", "ent2"),
        "liaison": ("soc", "ent"),
        "expert": ("soc", "ent2"),
        "leadership": ("ent", "ent2"),
        "anonymous": ("ent", "ent2"),
    },
}

# url name -> (method, object kind or None, {role: code} or {role: (own code, other code)})
MATRIX: dict[str, tuple[str, str | None, dict]] = {
    "home:root": ("get", None, dict.fromkeys(ROLES, 302)),
    "home:home": ("get", None, ALL | {"leadership": 302}),  # leadership lands on the dashboard
    "accounts:login": ("get", None, dict.fromkeys(ROLES[1:], 302) | {"anonymous": 200}),
    "accounts:logout": ("post", None, dict.fromkeys(ROLES, 302)),
    "set_language": ("post", None, dict.fromkeys(ROLES, 302)),
    "needs:list": ("get", None, ALL),
    "needs:create": (
        "get",
        None,
        per_role(coordinator=200, district=200, enterprise=200, liaison=404, expert=404, leadership=404),
    ),
    "needs:detail": (
        "get",
        "need",
        per_role(
            coordinator=(200, 200),
            district=(200, 404),
            enterprise=(200, 404),
            liaison=(200, 404),
            expert=(200, 404),
            leadership=(200, 404),
        )
        | {"anonymous": (302, 302)},
    ),
    "needs:edit": (
        "get",
        "need",
        # coordinators edit any open need; the enterprise its own until review; others are sent back (302) or 404
        {
            "coordinator": (200, 200),
            "district": (302, 404),
            "enterprise": (302, 404),
            "liaison": (302, 404),
            "expert": (302, 404),
            "leadership": (302, 404),
            "anonymous": (302, 302),
        },
    ),
    "needs:transition": (
        "post",
        "need",
        dict.fromkeys(ROLES[2:], (302, 404)) | {"coordinator": (302, 302), "anonymous": (302, 302)},
    ),
    "experts:list": ("get", None, ALL),
    "experts:detail": (
        "get",
        "expert",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),  # public profiles of the societies' experts
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (302, 302),
        },
    ),
    "experts:achievements": ("get", None, ALL),
    "experts:achievement": (
        "get",
        "achievement",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (302, 302),
        },
    ),
    "orgs:list": ("get", None, ALL),
    "orgs:detail": (
        "get",
        "org",
        {
            "coordinator": (200, 200),
            "district": (200, 404),
            "enterprise": (200, 404),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (302, 302),
        },
    ),
    "api:api-root": ("get", None, dict.fromkeys(ROLES, 404)),  # ninja's root has no page of its own
    "api:openapi-json": ("get", None, ALL),  # the schema and docs are behind login
    "api:openapi-view": ("get", None, ALL),
    "api:list_needs": ("get", None, dict.fromkeys(ROLES[1:], 200) | {"anonymous": 401}),
    "api:get_need": (
        "get",
        "need",
        {
            "coordinator": (200, 200),
            "district": (200, 404),
            "enterprise": (200, 404),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 404),
            "anonymous": (401, 401),
        },
    ),
    "api:list_experts": ("get", None, dict.fromkeys(ROLES[1:], 200) | {"anonymous": 401}),
    "api:get_expert": (
        "get",
        "expert",
        {
            "coordinator": (200, 200),
            "district": (200, 200),
            "enterprise": (200, 200),
            "liaison": (200, 404),
            "expert": (200, 404),
            "leadership": (200, 200),
            "anonymous": (401, 401),
        },
    ),
}


# Feature apps add their URLs in tests/core/matrix_<app>.py: ENTRIES (same shape as MATRIX),
# OBJECTS (kind -> role -> (own key, other key)) and build(world) filling world.extra[kind][key].
FRAGMENTS = []
for _path in sorted(Path(__file__).parent.glob("matrix_*.py")):
    _spec = importlib.util.spec_from_file_location(f"matrix_fragment_{_path.stem}", _path)
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    FRAGMENTS.append(_mod)
    MATRIX.update(_mod.ENTRIES)
    OBJECTS.update(getattr(_mod, "OBJECTS", {}))


@pytest.fixture
def matrix_world(world):
    for frag in FRAGMENTS:
        if hasattr(frag, "build"):
            frag.build(world)
    return world


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver, ns=None):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                sub = ":".join(x for x in (ns, p.namespace) if x) if p.namespace else ns
                walk(p, sub)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}:{p.name}" if ns else p.name)

    walk(get_resolver())
    return names


def admin_url_names() -> set[str]:
    return {n for n in all_url_names() if n.startswith("admin:")}


def test_every_url_has_an_entry():
    missing = sorted(all_url_names() - admin_url_names() - set(MATRIX))
    assert not missing, f"URLs without a permission-matrix entry: {missing}"


def _url(name, kind, role, which, world):
    if kind is None:
        return reverse(name)
    key = OBJECTS[kind][role][0 if which == "own" else 1]
    objs = {
        "need": world.needs,
        "expert": world.experts,
        "achievement": world.achievements,
        "org": world.orgs,
    }.get(kind) or world.extra[kind]  # fragments' kinds live in world.extra
    obj = objs[key]
    return reverse(name, args=getattr(obj, "url_args", None) or [obj.pk])  # url_args: URLs with several parts


POST_DATA = {"needs:transition": {"to_status": "reviewed"}}
for _frag in FRAGMENTS:
    POST_DATA.update(getattr(_frag, "POST_DATA", {}))
CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_matrix(name, role, matrix_world, client_for):
    world = matrix_world
    method, kind, expect = MATRIX[name]
    client = client_for(role)
    code = expect[role]
    pairs = [("own", code[0]), ("other", code[1])] if isinstance(code, tuple) else [("own", code)]
    for which, want in pairs:
        url = _url(name, kind, role, which, world)
        data = POST_DATA.get(name, {})
        resp = getattr(client, method)(url, data)
        assert resp.status_code == want, (
            f"{role} {method.upper()} {url} ({which}) → {resp.status_code}, want {want}"
        )
        if name == "accounts:logout":
            client = client_for(role)


# The admin: every registered model's list and add pages. Coordinators (staff) work in it;
# everyone else is sent to the admin login.
ADMIN_CASES = [
    (m._meta.app_label, m._meta.model_name, page)
    for m in admin.site._registry
    for page in ("changelist", "add")
]


@pytest.mark.parametrize(
    ("app", "model", "page"), ADMIN_CASES, ids=[f"{a}.{m}.{p}" for a, m, p in ADMIN_CASES]
)
@pytest.mark.parametrize("role", ROLES)
def test_admin_matrix(app, model, page, role, world, client_for):
    client = client_for(role)
    resp = client.get(reverse(f"admin:{app}_{model}_{page}"))
    if role != "coordinator":
        assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
        return
    model_admin = next(
        a for m, a in admin.site._registry.items() if m._meta.model_name == model and m._meta.app_label == app
    )
    coord = world.users["coordinator"]
    request = type("R", (), {"user": coord})()
    allowed = (
        model_admin.has_view_permission(request)
        if page == "changelist"
        else model_admin.has_add_permission(request)
    )
    assert resp.status_code == (200 if allowed else 403)
    if resp.status_code == 200:
        assert "科创对接" in resp.content.decode()


def test_admin_object_pages_for_coordinator(world, client_for):
    client = client_for("coordinator")
    need = world.needs["secret_ent2"]
    resp = client.get(reverse("admin:needs_need_change", args=[need.pk]))
    assert resp.status_code == 200
    body = resp.content.decode()
    # needs are written by the services only: the admin shows them read-only (and in Chinese)
    assert "关闭" in body and 'name="_save"' not in body
    from kechuang.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="need.view_confidential", object_id=str(need.pk)).exists()
