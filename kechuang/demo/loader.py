"""Turn the plain demo scenario (``kechuang.demo.scenario``) into database rows.

One transaction: the demo loads completely or not at all. Bulk inserts keep ``make run`` quick.
Sections that later apps own (events, visits, agreements, bases) are loaded by each app's
``demo_loader.load`` (found by ``kechuang.core.extensions.app_modules``), so this module imports none of them.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction

from kechuang.accounts.models import Area, Role, User
from kechuang.core.dbstats import refresh_planner_statistics
from kechuang.core.extensions import app_modules
from kechuang.core.models import AuditEntry
from kechuang.experts.models import Achievement, Expert, Patent, Publication, ServiceTeam
from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange
from kechuang.orgs.models import IndustryChain, Organisation

COORDINATOR_APPS = (
    "accounts",
    "orgs",
    "experts",
    "needs",
    "core",
    "matching",
    "events",
    "followup",
    "dashboard",
)

PRIMARY_LOGINS = ("coordinator", "district", "enterprise", "liaison", "expert", "leadership")


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _d(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def database_is_empty() -> bool:
    return not (User.objects.exists() or Organisation.objects.exists())


@transaction.atomic
def load_scenario(s: dict, *, fast_passwords: bool = False) -> dict:
    """Insert the scenario; returns the key → object maps (used by extra loaders and tests)."""
    ctx: dict[str, dict] = {}
    areas: dict[str, Area] = {}
    for a in s["areas"]:  # parents come before children in the scenario
        areas[a["code"]] = Area.objects.create(
            code=a["code"],
            name=a["name"],
            kind=a["kind"],
            parent=areas.get(a["parent"]) if a["parent"] else None,
        )
    chains = {c["code"]: c for c in s["chains"]}
    IndustryChain.objects.bulk_create(
        [
            IndustryChain(
                code=c["code"], name=c["name"], task_force=c["task_force"], keywords=c["keywords"], order=i
            )
            for i, c in enumerate(s["chains"])
        ]
    )
    chains = {c.code: c for c in IndustryChain.objects.all()}
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=o["name"],
                short_name=o.get("short_name") or "",
                kind=o["kind"],
                district=areas.get(o["district"]) if o.get("district") else None,
                chain=chains.get(o["chain"]) if o.get("chain") else None,
                description=o.get("description", ""),
                fields=o.get("fields", []),
                is_demo=True,
            )
            for o in s["organisations"]
        ]
    )
    by_name = {o.name: o for o in Organisation.objects.all()}
    orgs = {o["key"]: by_name[o["name"]] for o in s["organisations"]}

    experts: dict[str, Expert] = {}
    objs = [
        Expert(
            name=e["name"],
            gender=e.get("gender", ""),
            title=e["title"],
            affiliation=orgs.get(e["affiliation"]),
            fields=e["fields"],
            keywords=e["keywords"],
            region=e.get("region", ""),
            availability=e.get("availability", "available"),
            bio=e.get("bio", ""),
            is_demo=True,
        )
        for e in s["experts"]
    ]
    created = Expert.objects.bulk_create(objs)
    through = Expert.societies.through
    links, pubs, pats = [], [], []
    for e, obj in zip(s["experts"], created, strict=True):
        experts[e["key"]] = obj
        links += [through(expert_id=obj.pk, organisation_id=orgs[k].pk) for k in e["societies"]]
        pubs += [
            Publication(
                expert=obj,
                title=p["title"][:255],
                abstract=p.get("abstract", ""),
                venue=p.get("venue", ""),
                year=p.get("year"),
            )
            for p in e.get("publications", [])
        ]
        pats += [
            Patent(
                expert=obj,
                title=p["title"][:255],
                number=p.get("number", ""),
                abstract=p.get("abstract", ""),
                year=p.get("year"),
            )
            for p in e.get("patents", [])
        ]
    through.objects.bulk_create(links)
    Publication.objects.bulk_create(pubs)
    Patent.objects.bulk_create(pats)

    achievements = {}
    for a in s["achievements"]:
        achievements[a["key"]] = Achievement.objects.create(
            title=a["title"][:255],
            owner_society=orgs[a["owner_society"]],
            owner_expert=experts.get(a["owner_expert"]) if a.get("owner_expert") else None,
            description=a["description"],
            maturity=a["maturity"],
            ip=a.get("ip", ""),
            transfer_mode=a["transfer_mode"],
            fields=a.get("fields", []),
            chain=chains.get(a["chain"]) if a.get("chain") else None,
            is_demo=True,
        )
    for t in s["service_teams"]:
        team = ServiceTeam.objects.create(
            name=t["name"], theme=t.get("theme", ""), target_city=t.get("target_city", "")
        )
        team.societies.set([orgs[k] for k in t["societies"]])
        team.experts.set([experts[k] for k in t["experts"]])
        team.chains.set([chains[c] for c in t.get("chains", []) if c in chains])

    users: dict[str, User] = {}
    hashed: dict[str, str] = {}
    perms = list(Permission.objects.filter(content_type__app_label__in=COORDINATOR_APPS))
    for u in s["users"]:
        pw = u["password"]
        if pw not in hashed:  # hashing once per distinct password keeps loading fast
            hashed[pw] = make_password(pw, hasher="md5" if fast_passwords else "default")
        user = User(
            username=u["username"],
            password=hashed[pw],
            role=u["role"],
            display_name=u["display_name"],
            # Every demo login has an address (reserved .example domain) so notification e-mails and
            # password reset can be tried; the demo's console mail backend prints them.
            email=u.get("email") or f"{u['username']}@kechuang-demo.example",
            organisation=orgs.get(u["org"]) if u.get("org") else None,
            area=areas.get(u["area"]) if u.get("area") else None,
            expert=experts.get(u["expert"]) if u.get("expert") else None,
            is_staff=u["role"] == Role.COORDINATOR,
        )
        users[u["key"]] = user
    User.objects.bulk_create(users.values())
    users = {k: User.objects.get(username=u.username) for k, u in users.items()}
    for u in users.values():
        if u.role == Role.COORDINATOR:
            u.user_permissions.set(perms)

    needs = {}
    history = []
    for n in s["needs"]:
        first = n["history"][0]
        need = Need(
            enterprise=orgs[n["enterprise"]],
            title=n["title"][:128],
            kind=n["kind"],
            chain=chains[n["chain"]],
            district=areas[n["district"]],
            background=n["background"],
            problem=n["problem"],
            goal=n["goal"],
            keywords=n.get("keywords", []),
            budget_min=n.get("budget_min"),
            budget_max=n.get("budget_max"),
            deadline=_d(n.get("deadline")),
            **_contact(n),
            confidentiality=n["confidentiality"],
            source=n["source"],
            major=n.get("major", False),
            status=n["status"],
            status_changed_at=_dt(n["history"][-1]["at"]),
            created_at=_dt(first["at"]),
            submitted_by=users.get(first["by"]),
            is_demo=True,
        )
        needs[n["key"]] = need
    Need.objects.bulk_create(needs.values())
    coord = users.get("coordinator") or next((u for u in users.values() if u.role == Role.COORDINATOR), None)
    for n in s["needs"]:
        need = needs[n["key"]]
        prev = ""
        for h in n["history"]:
            history.append(
                NeedStatusChange(
                    need=need,
                    from_status=prev,
                    to_status=h["status"],
                    at=_dt(h["at"]),
                    by=users.get(h["by"]),
                    note=h.get("note", ""),
                )
            )
            prev = h["status"]
        if n["status"] not in ("submitted", "returned") and coord is not None:
            need.owner = coord
    NeedStatusChange.objects.bulk_create(history)
    NeedStageFact.rebuild([n.pk for n in needs.values()])  # bulk_create skips NeedStatusChange.save()
    Need.objects.bulk_update([n for n in needs.values() if n.owner_id], ["owner"])
    AuditEntry.objects.create(
        action="demo.load",
        object_type="demo",
        object_id=str(s["meta"]["seed"]),
        object_repr="演示数据（虚构）",
        changes={"counts": {k: len(v) for k, v in s.items() if isinstance(v, list)}},
    )
    ctx.update(
        areas=areas,
        chains=chains,
        orgs=orgs,
        experts=experts,
        achievements=achievements,
        users=users,
        needs=needs,
    )
    for module in app_modules("demo_loader"):  # fn(scenario, ctx); ctx holds the key -> object maps built here
        module.load(s, ctx)
    refresh_planner_statistics()  # PostgreSQL would plan the first pages for empty tables
    return ctx


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = ("建国", "海涛", "晓燕", "志强", "丽娜", "文博", "春雨", "立新", "雪梅", "振华", "思远", "明轩")


def _contact(n: dict) -> dict:
    """A plausible, fictional contact for a demo need (联系人, 联系电话), fixed by the need's key: a mobile
    or a Qingdao landline (0532). Derived from a checksum so the scenario's random sequence is untouched."""
    if "contact_name" in n:
        return {"contact_name": n["contact_name"], "contact_phone": n.get("contact_phone", "")}
    h = zlib.crc32(n["key"].encode("utf-8"))
    name = _SURNAMES[h % len(_SURNAMES)] + _GIVEN[(h // 31) % len(_GIVEN)]
    digits = f"{h % 10**8:08d}"
    phone = f"13{h % 10}{digits}" if h % 3 else f"0532-8{digits[:7]}"
    return {"contact_name": name, "contact_phone": phone}


def load_demo(seed: int = 20201129, *, fast_passwords: bool = False) -> dict:
    from kechuang.demo.scenario import build_scenario

    return load_scenario(build_scenario(seed), fast_passwords=fast_passwords)
