"""Reads and writes of the API per role, through a personal token: the same scope as the pages
(404 outside it), confidential needs never leaked by title in lists or search, every write through
the page's service (history + audit), errors as JSON in Chinese with 400/403/404/409."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from kechuang.core.models import AuditEntry
from kechuang.needs.models import Need, NeedStatusChange
from kechuang.needs.selectors import HIDDEN_LABEL

ROLES = ("coordinator", "district", "enterprise", "liaison", "expert", "leadership")


def _fragment(name):
    path = Path(__file__).parents[1] / "core" / f"matrix_{name}.py"
    spec = importlib.util.spec_from_file_location(f"api_fragment_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def full_world(world):
    for name in ("events", "followup", "api"):
        _fragment(name).build(world)
    return world


# ------------------------------------------------------------------------------------------ reads
@pytest.mark.parametrize("role", ROLES)
def test_every_list_holds_only_what_the_role_may_see(full_world, api_as, role):
    """Each list's ids equal those of the page's selector for that user."""
    from kechuang.events.selectors import event_list, meeting_list, request_list
    from kechuang.experts.selectors import achievement_list
    from kechuang.followup.selectors import agreement_list, visit_list
    from kechuang.matching.selectors import match_list
    from kechuang.orgs.selectors import organisation_list

    w = full_world
    user = w.users[role]
    ev = w.extra["mm_event"]["mm"]
    c = api_as(role)
    expected = {
        "/api/organisations/": organisation_list(user=user),
        "/api/achievements/": achievement_list(user=user),
        "/api/matches/": match_list(user=user),
        "/api/events/": event_list(user=user),
        f"/api/meeting-requests/?event={ev.pk}": request_list(user=user, event=ev),
        f"/api/meetings/?event={ev.pk}": meeting_list(user=user, event=ev, scheduled_only=False),
        "/api/visits/": visit_list(user=user),
        "/api/agreements/": agreement_list(user=user),
    }
    for url, qs in expected.items():
        sep = "&" if "?" in url else "?"
        resp = c.get(f"{url}{sep}limit=200")
        assert resp.status_code == 200, url
        got = {row["id"] for row in resp.json()["items"]}
        assert got == set(qs.values_list("pk", flat=True)), url


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("district", "own", "other"),
        ("enterprise", "own", "other"),
        ("liaison", "own", "other"),
        ("expert", "own", "other"),
    ],
)
def test_objects_outside_scope_are_404(full_world, api_as, role, own, other):
    x = full_world.extra
    c = api_as(role)
    for prefix, kind in (
        ("/api/meetings/", "mm_meeting"),
        ("/api/meeting-requests/", "mm_request"),
        ("/api/visits/", "visit"),
        ("/api/agreements/", "agreement"),
    ):
        assert c.get(f"{prefix}{x[kind][own].pk}").status_code == 200, (kind, "own")
        resp = c.get(f"{prefix}{x[kind][other].pk}")
        assert resp.status_code == 404, (kind, "other")
        assert resp.json()["detail"] == "未找到，或您无权查看。"


def test_confidential_titles_never_leak_in_lists_or_search(full_world, api_as):
    w = full_world
    secret = w.needs["secret_ent2"]
    for role in ("district", "enterprise", "liaison", "expert", "leadership"):
        c = api_as(role)
        responses = [
            c.get("/api/needs/", {"q": "绝密", "limit": 200}),
            c.get("/api/needs/", {"limit": 200}),
            c.get("/api/matches/", {"limit": 200}),
            c.get("/api/matches/", {"need": secret.pk}),
        ]
        for resp in responses:
            assert resp.status_code == 200
            body = json.dumps(resp.json(), ensure_ascii=False)  # the JSON escapes non-ASCII
            assert secret.title not in body, role
        assert c.get(f"/api/needs/{secret.pk}").status_code == 404
    found = api_as("coordinator").get("/api/needs/", {"q": "绝密"}).json()["items"]
    assert [n["title"] for n in found] == [secret.title]  # the search itself finds it for those who may


def test_a_match_on_a_need_the_reader_may_not_see_shows_the_hidden_label(full_world, api_as):
    """The expert sees the accepted match routed to them; the need title goes through need_label."""
    w = full_world
    rows = api_as("expert").get("/api/matches/").json()["items"]
    assert rows and all(r["need_title"] in (w.needs["pub_laixi"].title, HIDDEN_LABEL) for r in rows)


def test_listing_and_reading_a_confidential_need_are_audited(world, api_as):
    conf = world.needs["conf_ent"]
    c = api_as("coordinator")
    c.get("/api/needs/", {"limit": 200})
    listed = AuditEntry.objects.filter(action="need.view_confidential", object_id=str(conf.pk))
    assert listed.filter(changes__via="api:needs").exists()
    c.get(f"/api/needs/{conf.pk}")
    assert listed.filter(changes__via="api").exists()


def test_ordering_is_whitelisted(world, api_as):
    c = api_as("coordinator")
    titles = [n["title"] for n in c.get("/api/needs/", {"ordering": "title", "limit": 200}).json()["items"]]
    assert titles == sorted(titles)
    desc = [n["title"] for n in c.get("/api/needs/", {"ordering": "-title", "limit": 200}).json()["items"]]
    assert desc == sorted(titles, reverse=True)
    for bad in ("problem", "enterprise__name", "-contact_phone", "title;drop"):
        resp = c.get("/api/needs/", {"ordering": bad})
        assert resp.status_code == 422, bad
        assert resp.json()["errors"][0]["参数"] == "ordering"


def test_unknown_paths_and_bad_ids_are_json(world, api_as):
    c = api_as("coordinator")
    assert c.get("/api/nowhere").json()["detail"] == "未找到，或您无权查看。"
    assert c.get("/api/needs/abc").status_code == 422
    assert c.get(f"/api/needs/{2**40}").status_code == 422


# ----------------------------------------------------------------------------------------- writes
def _need_body(world, **extra):
    return {
        "title": "高性能锂电池隔膜研发",
        "kind": "tech",
        "chain": "materials",
        "district": "qd-laixi",
        "background": "企业扩产需要新一代隔膜",
        "problem": "隔膜孔隙率与强度难以兼顾，高温下收缩明显，影响电池安全性",
        "goal": "孔隙率45%以上且130℃收缩率小于3%",
        "keywords": ["隔膜", "锂电池"],
        "budget_min": 50,
        "budget_max": 200,
        **extra,
    }


def test_an_enterprise_submits_a_need_with_history_and_audit(world, api_as):
    resp = api_as("enterprise").post("/api/needs/", _need_body(world))
    assert resp.status_code == 201, resp.content
    need = Need.objects.get(pk=resp.json()["id"])
    assert need.enterprise == world.orgs["ent"] and need.status == "submitted"
    assert need.keywords == ["隔膜", "锂电池"]
    assert NeedStatusChange.objects.filter(need=need, to_status="submitted").exists()
    assert AuditEntry.objects.filter(action="need.submit", object_id=str(need.pk)).exists()


def test_a_bad_need_is_400_with_the_form_s_chinese_messages_and_nothing_written(world, api_as):
    before = Need.objects.count()
    resp = api_as("enterprise").post("/api/needs/", _need_body(world, problem="太短", budget_min=300))
    assert resp.status_code == 400
    fields = {e["参数"] for e in resp.json()["errors"]}
    assert {"problem", "budget_max"} <= fields
    assert "技术难题" in resp.json()["detail"]
    resp = api_as("enterprise").post("/api/needs/", _need_body(world, chain="no-such-chain"))
    assert resp.status_code == 400 and resp.json()["errors"][0]["参数"] == "chain"
    assert Need.objects.count() == before


def test_roles_that_do_not_submit_get_403(world, api_as):
    for role in ("liaison", "expert", "leadership"):
        resp = api_as(role).post("/api/needs/", _need_body(world, enterprise=world.orgs["ent"].pk))
        assert resp.status_code == 403, role
        assert resp.json()["detail"] == "您的角色不能提交需求。"


def test_a_district_submits_only_for_enterprises_it_may_see(world, api_as):
    resp = api_as("district").post("/api/needs/", _need_body(world, enterprise=world.orgs["ent2"].pk))
    assert resp.status_code == 400
    resp = api_as("district").post("/api/needs/", _need_body(world, enterprise=world.orgs["ent"].pk))
    assert resp.status_code == 201


def test_editing_a_need_checks_scope_rights_and_version(world, api_as):
    w = world
    new = w.needs["new_ent2"]  # submitted, 崂山: the coordinator may edit; 莱西 district may not see it
    assert api_as("district").patch(f"/api/needs/{new.pk}", {"version": 1, "goal": "x"}).status_code == 404
    pub = w.needs["pub_laixi"]  # reviewed: the enterprise may no longer edit
    resp = api_as("enterprise").patch(f"/api/needs/{pub.pk}", {"version": pub.version, "goal": "新的目标说明"})
    assert resp.status_code == 403
    c = api_as("coordinator")
    resp = c.patch(f"/api/needs/{new.pk}", {"version": new.version, "goal": "提升播种精度到99%"})
    assert resp.status_code == 200, resp.content
    new.refresh_from_db()
    assert new.goal == "提升播种精度到99%" and new.version == 2
    assert AuditEntry.objects.filter(action="need.update", object_id=str(new.pk)).count() == 1
    stale = c.patch(f"/api/needs/{new.pk}", {"version": 1, "goal": "覆盖别人的修改"})
    assert stale.status_code == 409
    # saving unchanged values changes nothing
    same = c.patch(f"/api/needs/{new.pk}", {"version": 2, "goal": "提升播种精度到99%"})
    assert same.status_code == 200
    new.refresh_from_db()
    assert new.version == 2
    assert AuditEntry.objects.filter(action="need.update", object_id=str(new.pk)).count() == 1


def test_transitions_follow_the_pipeline(world, api_as):
    w = world
    new = w.needs["new_ent2"]
    url = f"/api/needs/{new.pk}/transitions"
    assert api_as("district").post(url, {"to_status": "reviewed"}).status_code == 404  # 崂山: not theirs
    assert api_as("leadership").post(url, {"to_status": "reviewed"}).status_code == 403
    c = api_as("coordinator")
    assert c.post(url, {"to_status": "delivered"}).status_code == 409
    returned = c.post(url, {"to_status": "returned"})
    assert returned.status_code == 400 and "原因" in returned.json()["detail"]
    resp = c.post(url, {"to_status": "reviewed", "note": "材料齐全"})
    assert resp.status_code == 200 and resp.json()["status"] == "reviewed"
    assert NeedStatusChange.objects.filter(need=new, to_status="reviewed", note="材料齐全").exists()
    assert AuditEntry.objects.filter(action="need.transition", object_id=str(new.pk)).exists()


def test_deciding_a_match(full_world, api_as):
    w = full_world
    need = w.needs["pub_laoshan"]
    body = {"need": need.pk, "kind": "expert", "candidate_id": w.experts["other"].pk, "decision": "accept"}
    assert api_as("liaison").post("/api/matches/decisions", body).status_code == 403
    assert api_as("district").post("/api/matches/decisions", body).status_code == 404  # 崂山 need
    c = api_as("coordinator")
    resp = c.post("/api/matches/decisions", body)
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "accepted"
    assert AuditEntry.objects.filter(action="match.accept").exists()
    assert c.post("/api/matches/decisions", body).status_code == 409  # already decided
    decline = {**body, "candidate_id": w.achievements["other"].pk, "kind": "achievement", "decision": "decline"}
    resp = c.post("/api/matches/decisions", {**decline, "reason": "other"})
    assert resp.status_code == 400 and "说明" in resp.json()["detail"]
    resp = c.post("/api/matches/decisions", {**decline, "reason": "too_early"})
    assert resp.status_code == 200 and resp.json()["status"] == "declined"
    new = w.needs["new_ent2"]  # not reviewed yet
    assert c.post("/api/matches/decisions", {**body, "need": new.pk}).status_code == 409


def test_requesting_and_answering_a_meeting(full_world, api_as):
    from kechuang.events.models import MeetingRequest

    w = full_world
    x = w.extra
    ev = x["mm_event"]["mm"]
    rep_own, exp_other = x["mm_participant"]["rep_own"], x["mm_participant"]["exp_other"]
    body = {"event": ev.pk, "enterprise": rep_own.pk, "expert": exp_other.pk, "message": "想请教农机问题"}
    assert api_as("liaison").post("/api/meeting-requests/", body).status_code == 404  # exp_other: not theirs
    resp = api_as("enterprise").post("/api/meeting-requests/", body)
    assert resp.status_code == 201, resp.content
    req_id = resp.json()["id"]
    assert AuditEntry.objects.filter(action="event.request_create", object_id=str(req_id)).exists()
    assert api_as("enterprise").post("/api/meeting-requests/", body).status_code == 409
    # the invited side (the 农机 expert) answers; the asking enterprise may not answer its own request
    assert api_as("enterprise").post(f"/api/meeting-requests/{req_id}/answer", {"accept": True}).status_code == 403
    resp = api_as("coordinator").post(f"/api/meeting-requests/{req_id}/answer", {"accept": False})
    assert resp.status_code == 200 and resp.json()["status"] == "declined"
    assert MeetingRequest.objects.get(pk=req_id).status == "declined"
    assert api_as("coordinator").post(f"/api/meeting-requests/{req_id}/answer", {"accept": True}).status_code == 409


def test_the_invited_expert_answers_through_the_api(full_world, api_as):
    x = full_world.extra
    req = x["mm_request"]["own"]  # to the expert "own", pending
    resp = api_as("expert").post(f"/api/meeting-requests/{req.pk}/answer", {"accept": True})
    assert resp.status_code == 200 and resp.json()["status"] == "accepted"
    other = x["mm_request"]["other"]
    assert api_as("expert").post(f"/api/meeting-requests/{other.pk}/answer", {"accept": True}).status_code == 404


def test_a_body_that_is_not_json_is_400_in_chinese(world, api_as):
    c = api_as("coordinator")
    resp = c.client.post("/api/needs/", "{not json", content_type="application/json", headers=c.headers)
    assert resp.status_code == 400
    assert resp.json()["detail"] == "请求体不是有效的 JSON。"


LIST_URLS = ("/api/needs/", "/api/experts/", "/api/organisations/", "/api/achievements/", "/api/matches/",
             "/api/events/", "/api/visits/", "/api/agreements/")
EVENT_LIST_URLS = ("/api/meeting-requests/", "/api/meetings/")  # per event (?event= is required)


@pytest.mark.parametrize("role", ROLES)
def test_no_api_read_leaks_a_confidential_need_the_role_may_not_see(full_world, api_as, role):
    """Every read a role can reach: every list (and its search), every object's detail reached from the
    lists, the matching suggestions of every visible need and the needs of every visible expert. A
    confidential need the role may not see (needs.selectors.need_visible) shows neither its title nor
    its text anywhere; the ones it may see are there, so the crawl does reach them."""
    from kechuang.matching.models import Match
    from kechuang.needs.selectors import need_visible

    w = full_world
    user = w.users[role]
    marker = "机密工艺参数"
    for key in ("conf_ent", "secret_ent2"):  # accepted matches routed to the expert: they see the match
        Match.objects.create(need=w.needs[key], kind="expert", expert=w.experts["own"], status="accepted",
                             routed_to_user=w.users["expert"])
    confidential = list(Need.objects.exclude(confidentiality=Need.Confidentiality.PUBLIC))
    Need.objects.filter(pk__in=[n.pk for n in confidential]).update(problem=f"{marker}：某配方的温度与压力窗口。")
    hidden = [n for n in confidential if not need_visible(user, n)]
    shown = [n for n in confidential if need_visible(user, n)]
    c = api_as(role)
    bodies, seen = [], set()

    def read(url, params=None):
        resp = c.get(url, params)
        assert resp.status_code in (200, 404), (url, resp.status_code)
        if resp.status_code == 200:
            bodies.append(json.dumps(resp.json(), ensure_ascii=False))
        return resp

    def lists():
        for url in LIST_URLS:
            for params in ({"limit": 200}, {"limit": 200, "q": "绝密"}, {"limit": 200, "q": marker}):
                yield url, params
        for url in EVENT_LIST_URLS:
            for event_url, pk in sorted(seen):
                if event_url == "/api/events/":
                    yield url, {"limit": 200, "event": pk}

    for url, params in lists():
        resp = read(url, params)
        assert resp.status_code == 200, url
        for item in resp.json()["items"]:
            if (url, item["id"]) not in seen:
                seen.add((url, item["id"]))
                assert read(f"{url}{item['id']}").status_code == 200, (url, item["id"])
    for url, pk in sorted(seen):
        if url == "/api/needs/":
            read(f"/api/matching/needs/{pk}/suggestions")
        elif url == "/api/experts/":
            read(f"/api/matching/experts/{pk}/needs")
    for need in hidden:
        assert c.get(f"/api/needs/{need.pk}").status_code == 404
        assert c.get(f"/api/matching/needs/{need.pk}/suggestions").status_code == 404
    text = "\n".join(bodies)
    assert not [n.title for n in hidden if n.title in text], role
    if hidden and not shown:
        assert marker not in text, role
    for need in shown:
        assert ("/api/needs/", need.pk) in seen, (role, need.title)
