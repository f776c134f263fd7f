"""Tests of the plain-data demo scenario (no database needed)."""

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from kechuang.demo.scenario import (
    DEMO_TODAY,
    STATUSES,
    build_scenario,
    scenario_summary,
)
from kechuang.needs.services import TRANSITIONS, allowed_transitions

SOCIETY_NAMES = [
    "中国自动化学会",
    "中国材料研究学会",
    "中国海洋学会",
    "中国农学会",
    "中国农业机械学会",
    "中国水产学会",
    "中国金属学会",
    "中国腐蚀与防护学会",
    "中国生物医学工程学会",
    "中国公路学会",
]
PRIMARY_LOGINS = {
    "coordinator": "demo-coord-2026",
    "district": "demo-district-2026",
    "enterprise": "demo-ent-2026",
    "liaison": "demo-liaison-2026",
    "expert": "demo-expert-2026",
    "leadership": "demo-lead-2026",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def s():
    return build_scenario()


@pytest.fixture(scope="module")
def idx(s):
    return {
        "org": {o["key"]: o for o in s["organisations"]},
        "expert": {e["key"]: e for e in s["experts"]},
        "area": {a["code"]: a for a in s["areas"]},
        "chain": {c["code"]: c for c in s["chains"]},
        "user": {u["key"]: u for u in s["users"]},
        "need": {n["key"]: n for n in s["needs"]},
        "event": {e["key"]: e for e in s["events"]},
    }


def _societies(s):
    return {o["name"]: o for o in s["organisations"] if o["kind"] == "society"}


def _org_by_name(s, name):
    return next(o for o in s["organisations"] if o["name"] == name)


def _chinese_ratio(text):
    letters = [c for c in text if not c.isspace() and not c.isdigit()]
    return len(CJK.findall(text)) / max(1, len(letters))


# ----------------------------------------------------------------------------- determinism
def test_deterministic_and_seed_sensitive(s):
    again = build_scenario()
    assert json.dumps(again, ensure_ascii=False, sort_keys=True) == json.dumps(
        s, ensure_ascii=False, sort_keys=True
    )
    other = build_scenario(seed=7)
    assert json.dumps(other, ensure_ascii=False, sort_keys=True) != json.dumps(
        s, ensure_ascii=False, sort_keys=True
    )
    assert s["meta"]["today"] == DEMO_TODAY == "2026-11-20"
    assert s["meta"]["city"] == "青岛市"
    assert "演示数据" in s["meta"]["note"]


def test_independent_of_hash_seed(s):
    code = (
        "import json, hashlib; from kechuang.demo.scenario import build_scenario; "
        "print(hashlib.sha256(json.dumps(build_scenario(), ensure_ascii=False, sort_keys=True).encode()).hexdigest())"
    )
    here = hashlib.sha256(json.dumps(s, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    root = Path(__file__).resolve().parents[2]
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here


def test_plain_data_only(s):
    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                assert isinstance(k, str)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        else:
            assert x is None or isinstance(x, str | int | float | bool), type(x)

    walk(s)
    json.dumps(s)


def test_schema_keys(s):
    assert set(s) == {
        "meta", "areas", "chains", "organisations", "experts", "achievements", "service_teams", "needs",
        "users", "labels", "events", "visits", "agreements", "bases",
    }  # fmt: skip
    expected = {
        "areas": {"code", "name", "kind", "parent"},
        "chains": {"code", "name", "task_force", "keywords"},
        "organisations": {"key", "name", "short_name", "kind", "district", "chain", "description", "fields"},
        "experts": {
            "key",
            "name",
            "gender",
            "title",
            "affiliation",
            "societies",
            "fields",
            "keywords",
            "region",
            "availability",
            "bio",
            "publications",
            "patents",
        },  # fmt: skip
        "achievements": {
            "key",
            "title",
            "owner_society",
            "owner_expert",
            "description",
            "maturity",
            "ip",
            "transfer_mode",
            "fields",
            "chain",
        },  # fmt: skip
        "service_teams": {"key", "name", "societies", "experts", "theme", "chains", "target_city"},
        "needs": {
            "key",
            "enterprise",
            "title",
            "kind",
            "chain",
            "district",
            "background",
            "problem",
            "goal",
            "keywords",
            "budget_min",
            "budget_max",
            "deadline",
            "confidentiality",
            "source",
            "major",
            "status",
            "history",
        },  # fmt: skip
        "users": {"key", "username", "password", "role", "display_name", "org", "area", "expert"},
        "events": {
            "key",
            "kind",
            "title",
            "start",
            "end",
            "venue",
            "organisers",
            "societies",
            "description",
            "scale",
            "district",
            "held",
        },
        "visits": {"key", "title", "date", "park", "district", "experts", "societies", "stops"},
        "agreements": {"key", "title", "kind", "parties", "amount", "signed", "needs", "event", "milestones"},
        "bases": {"key", "kind", "name", "society", "host", "district", "unveiled", "services"},
    }
    for section, keys in expected.items():
        for item in s[section]:
            assert set(item) == keys, (section, item.get("key"))
    for e in s["experts"]:
        for p in e["publications"]:
            assert set(p) == {"title", "abstract", "venue", "year"}
        for p in e["patents"]:
            assert set(p) == {"title", "number", "abstract", "year"}
    for n in s["needs"]:
        for h in n["history"]:
            extra = {"experts"} if h["status"] == "matched" else set()
            assert set(h) - {"event"} == {"status", "at", "by", "note"} | extra
            assert "event" not in h or h["status"] == "met"
    for v in s["visits"]:
        for st in v["stops"]:
            assert set(st) == {"enterprise", "order", "minutes", "findings", "recommendations", "urgency"}


def test_unique_keys(s):
    for section, field in [
        ("areas", "code"), ("chains", "code"), ("organisations", "key"), ("experts", "key"),
        ("achievements", "key"), ("service_teams", "key"), ("needs", "key"), ("users", "key"),
        ("events", "key"), ("visits", "key"), ("agreements", "key"), ("bases", "key"),
    ]:  # fmt: skip
        values = [x[field] for x in s[section]]
        assert len(values) == len(set(values)), section
    usernames = [u["username"] for u in s["users"]]
    assert len(usernames) == len(set(usernames))
    assert all(re.fullmatch(r"[a-z0-9-]+", a["code"]) for a in s["areas"])
    assert all(re.fullmatch(r"[a-z0-9_-]+", c["code"]) for c in s["chains"])


# ----------------------------------------------------------------------------- counts
def test_minimum_counts(s):
    socs = _societies(s)
    assert sorted(socs) == sorted(SOCIETY_NAMES)
    per_soc = Counter(e["societies"][0] for e in s["experts"])
    team_socs = Counter(soc for t in s["service_teams"] for soc in t["societies"])
    ach_socs = Counter(a["owner_society"] for a in s["achievements"])
    for name, org in socs.items():
        assert per_soc[org["key"]] >= 30, name
        assert team_socs[org["key"]] >= 1, name
        assert ach_socs[org["key"]] >= 5, name
    assert len(s["experts"]) >= 300
    kinds = Counter(o["kind"] for o in s["organisations"])
    assert kinds["enterprise"] >= 40
    assert kinds["university"] + kinds["institute"] >= 15
    for k in ("association", "government", "park", "investor"):
        assert kinds[k] >= 1, k
    assert len(s["needs"]) >= 120
    assert {n["status"] for n in s["needs"]} == set(STATUSES)
    assert len({n["confidentiality"] for n in s["needs"]}) >= 3
    assert len(s["chains"]) >= 13
    assert 20 <= len(s["events"]) <= 35
    assert sum(e["kind"] == "matchmaking" for e in s["events"]) >= 20
    assert 28 <= len(s["visits"]) <= 36
    assert 17 <= len(s["agreements"]) <= 22
    assert len(s["bases"]) >= 4


def test_need_distributions(s):
    needs = s["needs"]
    n = len(needs)
    confidential = sum(x["confidentiality"] != "public" for x in needs)
    assert 0.10 * n <= confidential <= 0.20 * n
    major = sum(x["major"] for x in needs)
    assert 0.25 * n <= major <= 0.35 * n
    assert {x["kind"] for x in needs} == {"tech", "transfer", "talent", "equipment", "standard", "consulting"}
    assert {x["source"] for x in needs} == {"call", "district", "self", "visit"}
    today = datetime.fromisoformat(DEMO_TODAY + "T23:59:59+08:00")
    stalled = [
        x
        for x in needs
        if x["status"] not in ("closed", "returned", "delivered")
        and (today - datetime.fromisoformat(x["history"][-1]["at"])).days > 30
    ]
    assert len(stalled) >= 10
    for x in needs:
        if x["budget_min"] is not None:
            assert isinstance(x["budget_min"], int) and isinstance(x["budget_max"], int)
            assert 0 < x["budget_min"] <= x["budget_max"]
        if x["deadline"]:
            assert date.fromisoformat(x["deadline"]) > date.fromisoformat(x["history"][0]["at"][:10])


def test_experts_per_society_shape(s):
    titles = Counter(e["title"] for e in s["experts"])
    assert set(titles) <= {"院士", "教授", "研究员", "高级工程师", "副教授", "副研究员"}
    assert len(titles) == 6
    assert titles["院士"] <= 0.06 * len(s["experts"])
    for e in s["experts"]:
        assert 3 <= len(e["publications"]) <= 8
        assert 0 <= len(e["patents"]) <= 3
        assert e["gender"] in ("M", "F")
        assert e["availability"] in ("available", "limited", "unavailable")
        for p in e["publications"]:
            assert 2 <= p["abstract"].count("。") <= 4
        for p in e["patents"]:
            assert re.fullmatch(r"ZL20\d{2}1\d{7}\.[0-9X]", p["number"]), p["number"]
    # experts within a society are not clones: keyword sets vary
    by_soc = {}
    for e in s["experts"]:
        by_soc.setdefault(e["societies"][0], []).append(frozenset(e["keywords"]))
    for soc, kws in by_soc.items():
        assert len(set(kws)) >= 0.8 * len(kws), soc


# ----------------------------------------------------------------------------- references
def test_references_resolve(s, idx):
    org, expert, area, chain, user, need, event = (
        idx[k] for k in ("org", "expert", "area", "chain", "user", "need", "event")
    )
    societies = {k for k, o in org.items() if o["kind"] == "society"}
    enterprises = {k for k, o in org.items() if o["kind"] == "enterprise"}
    for a in s["areas"]:
        assert a["parent"] is None or a["parent"] in area
    assert sum(a["parent"] is None for a in s["areas"]) == 1
    for o in s["organisations"]:
        assert o["district"] is None or o["district"] in area
        assert o["chain"] is None or o["chain"] in chain
        if o["kind"] == "enterprise":
            assert o["district"] in area and o["chain"] in chain
    for e in s["experts"]:
        assert org[e["affiliation"]]["kind"] in ("university", "institute")
        assert e["societies"] and set(e["societies"]) <= societies
    for a in s["achievements"]:
        assert a["owner_society"] in societies
        assert a["owner_expert"] is None or a["owner_expert"] in expert
        assert a["chain"] in chain
    for t in s["service_teams"]:
        assert set(t["societies"]) <= societies
        assert 6 <= len(t["experts"]) <= 12
        assert set(t["experts"]) <= set(expert)
        assert set(t["chains"]) <= set(chain)
        assert t["target_city"] == "青岛市"
    for n in s["needs"]:
        assert n["enterprise"] in enterprises
        assert n["chain"] in chain and n["district"] in area
        for h in n["history"]:
            assert h["by"] in user, h["by"]
    for u in s["users"]:
        assert u["org"] is None or u["org"] in org
        assert u["area"] is None or u["area"] in area
        assert u["expert"] is None or u["expert"] in expert
    for k, experts in s["labels"].items():
        assert k in need and experts and set(experts) <= set(expert)
    for e in s["events"]:
        assert set(e["organisers"]) <= set(org) and set(e["societies"]) <= societies
        assert e["start"] < e["end"]
    for v in s["visits"]:
        assert v["park"] is None or org[v["park"]]["kind"] == "park"
        assert v["district"] in area
        assert set(v["experts"]) <= set(expert) and set(v["societies"]) <= societies
        assert v["stops"] and all(st["enterprise"] in enterprises for st in v["stops"])
        assert [st["order"] for st in v["stops"]] == list(range(1, len(v["stops"]) + 1))
    for a in s["agreements"]:
        assert len(a["parties"]) >= 2 and set(a["parties"]) <= set(org)
        assert set(a["needs"]) <= set(need)
        assert a["event"] is None or a["event"] in event
        assert a["milestones"]
    for b in s["bases"]:
        assert b["society"] in societies and b["host"] in org and b["district"] in area
        for sv in b["services"]:
            assert b["unveiled"] <= sv["date"] <= DEMO_TODAY


def test_labels_cover_tech_and_transfer(s, idx):
    for n in s["needs"]:
        if n["kind"] in ("tech", "transfer"):
            assert s["labels"].get(n["key"]), n["key"]
    # labels carry signal: the need shares vocabulary with its labelled experts
    shared = 0
    for key, experts in s["labels"].items():
        text = idx["need"][key]["title"] + idx["need"][key]["problem"] + "".join(idx["need"][key]["keywords"])
        kws = {k for e in experts for k in idx["expert"][e]["keywords"]}
        shared += any(k in text for k in kws)
    assert shared >= 0.9 * len(s["labels"])


# ----------------------------------------------------------------------------- history
def _actor(user: dict, areas: dict) -> SimpleNamespace:
    """A scenario user as ``allowed_transitions`` sees one (role, scope; area ids are area codes)."""

    def subtree(code):
        return [code] + [c for a in areas.values() if a["parent"] == code for c in subtree(a["code"])]

    return SimpleNamespace(
        role=user["role"],
        is_coordinator=user["role"] == "coordinator",
        organisation_id=user["org"],
        area_ids=lambda: subtree(user["area"]) if user["role"] == "district" and user["area"] else [],
    )


def test_history_walks_the_real_transition_table(s, idx):
    """Every step of every demo history is one the platform itself would allow, by that actor."""
    today_end = datetime.fromisoformat(DEMO_TODAY + "T23:59:59+08:00")
    for n in s["needs"]:
        h = n["history"]
        statuses = [x["status"] for x in h]
        assert statuses[0] == "submitted"
        assert statuses[-1] == n["status"]
        for prev, step in zip(h, h[1:]):
            assert step["status"] in TRANSITIONS[prev["status"]], (n["key"], prev["status"], step["status"])
            need = SimpleNamespace(
                status=prev["status"], district_id=n["district"], enterprise_id=n["enterprise"]
            )
            actor = _actor(idx["user"][step["by"]], idx["area"])
            assert step["status"] in allowed_transitions(actor, need), (n["key"], step["by"], step["status"])
        times = [datetime.fromisoformat(x["at"]) for x in h]
        assert all(t.utcoffset().total_seconds() == 8 * 3600 for t in times)
        assert times == sorted(times) and len(set(times)) == len(times), n["key"]
        assert times[-1] <= today_end
        assert all(x["note"] for x in h)


def test_agreements_consistent_with_needs(s, idx):
    linked = {k for a in s["agreements"] for k in a["needs"]}
    for n in s["needs"]:
        if n["status"] in ("agreement", "delivered", "closed"):
            assert n["key"] in linked, n["key"]
    for a in s["agreements"]:
        for k in a["needs"]:
            need = idx["need"][k]
            assert need["status"] in ("agreement", "delivered", "closed")
            assert need["enterprise"] in a["parties"] or any(
                idx["org"][p]["kind"] in ("government", "association") for p in a["parties"]
            )
            signed_at = next(h["at"][:10] for h in need["history"] if h["status"] == "agreement")
            assert signed_at == a["signed"]
        for m in a["milestones"]:
            assert m["due"] >= a["signed"]


# ----------------------------------------------------------------------------- logins
def test_primary_logins(s, idx):
    by_username = {u["username"]: u for u in s["users"]}
    for role, password in PRIMARY_LOGINS.items():
        u = by_username[role]
        assert u["role"] == role and u["password"] == password
    assert idx["org"][by_username["coordinator"]["org"]]["name"] == "青岛市科学技术协会"
    assert idx["area"][by_username["district"]["area"]]["name"] == "莱西市"
    assert idx["org"][by_username["enterprise"]["org"]]["name"] == "山东领军科技集团"
    assert idx["org"][by_username["liaison"]["org"]]["name"] == "中国材料研究学会"
    exp = idx["expert"][by_username["expert"]["expert"]]
    assert _org_by_name(s, "中国材料研究学会")["key"] in exp["societies"]
    assert "石墨烯" in exp["keywords"]
    roles = Counter(u["role"] for u in s["users"])
    ents = [o for o in s["organisations"] if o["kind"] == "enterprise"]
    assert roles["enterprise"] >= len(ents)
    assert roles["liaison"] >= 10
    assert roles["expert"] >= 20
    districts = [a for a in s["areas"] if a["kind"] == "district"]
    district_areas = {u["area"] for u in s["users"] if u["role"] == "district"}
    assert {a["code"] for a in districts} <= district_areas
    for o in ents:
        assert any(u["org"] == o["key"] and u["password"] == "demo-2026" for u in s["users"])


# ----------------------------------------------------------------------------- texts
def test_texts_chinese_and_varied(s):
    for o in s["organisations"]:
        assert _chinese_ratio(o["description"]) > 0.6, o["key"]
    for e in s["experts"]:
        assert _chinese_ratio(e["bio"]) > 0.6
        assert CJK.search(e["name"]) and 2 <= len(e["name"]) <= 4
    names = [e["name"] for e in s["experts"]]
    assert len(names) == len(set(names))
    for n in s["needs"]:
        for f in ("title", "background", "problem", "goal"):
            assert _chinese_ratio(n[f]) > 0.7, (n["key"], f)
    pubs = [p["title"] for e in s["experts"] for p in e["publications"]]
    dup = len(pubs) - len(set(pubs))
    assert dup < 0.05 * len(pubs)
    abstracts = [p["abstract"] for e in s["experts"] for p in e["publications"]]
    assert len(set(abstracts)) > 0.95 * len(abstracts)
    problems = [n["problem"] for n in s["needs"]]
    assert len(problems) == len(set(problems))
    assert len({n["title"] for n in s["needs"]}) > 0.95 * len(s["needs"])
    bios = [e["bio"] for e in s["experts"]]
    assert len(set(bios)) == len(bios)
    findings = [st["findings"] for v in s["visits"] for st in v["stops"]]
    assert len(set(findings)) > 0.9 * len(findings)


def test_article_content_present(s, idx):
    def needs_of(name):
        key = _org_by_name(s, name)["key"]
        return [n for n in s["needs"] if n["enterprise"] == key]

    def text(n):
        return n["title"] + n["background"] + n["problem"] + n["goal"]

    assert any("石墨烯" in text(n) and "产业化" in text(n) for n in needs_of("山东领军科技集团"))
    haier = needs_of("青岛海尔智能技术研发有限公司")
    assert any(
        all(w in text(n) for w in ("轻薄", "耐腐蚀", "抗污", "除菌", "控温", "控湿", "控氧")) for n in haier
    )
    assert any("轮胎" in text(n) and "裂解" in text(n) for n in needs_of("双星集团有限责任公司"))
    laixi = [n for n in s["needs"] if idx["area"][n["district"]]["name"] == "莱西市" and "石墨" in text(n)]
    assert laixi
    assert any("大而不强" in text(n) and idx["chain"][n["chain"]]["code"] == "agri" for n in s["needs"])
    titles = [a["title"] for a in s["agreements"]]
    assert any("中国材料研究学会" in t and "领军" in t for t in titles)
    assert any("中国材料研究学会" in t and "海尔" in t for t in titles)
    caams = next(a for a in s["agreements"] if "产业创新服务中心" in a["title"])
    party_names = {idx["org"][p]["name"] for p in caams["parties"]}
    assert {"中国农业机械学会", "青岛市科学技术协会", "青岛市农机生产流通协会", "青岛农业大学"} <= party_names
    base_names = [b["name"] for b in s["bases"]]
    assert any("中国材料研究学会科技成果转化基地" in b for b in base_names)
    assert any("中国农业机械学会青岛产业创新服务中心" in b for b in base_names)
    laixi_base = next(
        b
        for b in s["bases"]
        if "转化基地" in b["name"] and b["society"] == _org_by_name(s, "中国材料研究学会")["key"]
    )
    assert idx["area"][laixi_base["district"]]["name"] == "莱西市"
    robot = [e for e in s["events"] if e["kind"] == "competition" and "机器人" in e["title"]]
    assert robot and robot[0]["scale"] >= 3500
    assert any(e["scale"] == 8000 for e in s["events"])
    graphite_visit = [v for v in s["visits"] if "石墨" in v["title"] and v["district"] == "qd-laixi"]
    assert graphite_visit and len(graphite_visit[0]["experts"]) >= 10
    big = [e for e in s["events"] if len(e["societies"]) == 10 and e["start"][:7] == DEMO_TODAY[:7]]
    assert big


def test_dates_consistent(s):
    for e in s["events"]:
        datetime.fromisoformat(e["start"])
    past_mm = [
        e
        for e in s["events"]
        if e["kind"] == "matchmaking" and e["start"][:10] <= DEMO_TODAY and e["start"][:10] >= "2025-11-20"
    ]
    assert len(past_mm) >= 20
    for v in s["visits"]:
        assert "2025-11-20" <= v["date"] <= DEMO_TODAY
    for a in s["agreements"]:
        assert a["signed"] <= DEMO_TODAY
    for b in s["bases"]:
        assert b["unveiled"] <= DEMO_TODAY


def test_summary(s):
    summary = scenario_summary(s)
    assert summary["counts"]["experts"] == len(s["experts"])
    assert summary["counts"]["needs"] == len(s["needs"])
    assert set(summary["experts_per_society"]) == set(SOCIETY_NAMES)
    assert all(v >= 30 for v in summary["experts_per_society"].values())
    assert sum(summary["needs_by_status"].values()) == len(s["needs"])
