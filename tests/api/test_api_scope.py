"""The JSON API answers from the same selectors as the pages: the same rows, 401 without a session,
404 outside scope."""

from __future__ import annotations

import pytest

# the needs each role may see in the shared world (tests/conftest.py), by title
NEEDS_VISIBLE = {
    "coordinator": {"pub_laixi", "conf_ent", "pub_laoshan", "secret_ent2", "pub_zone", "new_ent2"},
    "district": {"pub_laixi", "pub_zone"},
    "enterprise": {"pub_laixi", "conf_ent", "pub_zone"},
    "liaison": {"pub_laixi", "pub_laoshan", "pub_zone"},
    "expert": {"pub_laixi", "pub_laoshan", "pub_zone"},
    "leadership": {"pub_laixi", "pub_laoshan", "pub_zone", "new_ent2"},
}
EXPERTS_VISIBLE = {
    "coordinator": {"own", "other"},
    "district": {"own", "other"},
    "leadership": {"own", "other"},
    "liaison": {"own"},
    "expert": {"own"},
    "enterprise": {"own", "other"},  # the public profiles of the societies' experts
}


@pytest.mark.parametrize("role", sorted(NEEDS_VISIBLE))
def test_need_list_matches_scope(world, client_for, role):
    resp = client_for(role).get("/api/needs/?limit=100")
    assert resp.status_code == 200
    got = {item["title"] for item in resp.json()["items"]}
    assert got == {world.needs[k].title for k in NEEDS_VISIBLE[role]}


@pytest.mark.parametrize("role", sorted(NEEDS_VISIBLE))
def test_need_detail_is_404_outside_scope(world, client_for, role):
    c = client_for(role)
    for key, need in world.needs.items():
        expected = 200 if key in NEEDS_VISIBLE[role] else 404
        assert c.get(f"/api/needs/{need.pk}").status_code == expected, key


@pytest.mark.parametrize("role", sorted(EXPERTS_VISIBLE))
def test_expert_list_matches_scope(world, client_for, role):
    resp = client_for(role).get("/api/experts/?limit=100")
    assert resp.status_code == 200
    got = {item["name"] for item in resp.json()["items"]}
    assert got == {world.experts[k].name for k in EXPERTS_VISIBLE[role]}


def test_without_a_session_the_api_answers_401(world, client_for):
    c = client_for("anonymous")
    for url in ("/api/needs/", f"/api/needs/{world.needs['pub_laixi'].pk}", "/api/experts/"):
        assert c.get(url).status_code == 401, url


def test_the_page_size_is_bounded_with_a_clear_message(world, client_for):
    c = client_for("coordinator")
    assert c.get("/api/needs/?limit=200").status_code == 200
    for query in ("limit=201", "limit=0", "offset=-1", "offset=99999999999999999999", "limit=abc"):
        resp = c.get(f"/api/needs/?{query}")
        assert resp.status_code == 422, query
        assert resp.json()["detail"] == "请求参数无效。"
    assert len(c.get("/api/needs/").json()["items"]) <= 50


def test_filters_are_validated_by_the_schema(world, client_for):
    c = client_for("coordinator")
    assert c.get("/api/needs/?status=reviewed").status_code == 200
    resp = c.get("/api/needs/?status=nonsense")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["参数"] == "status"
    assert c.get("/api/needs/?q=" + "长" * 101).status_code == 422


def test_the_api_docs_need_a_session(world, client_for):
    assert client_for("anonymous").get("/api/docs").status_code == 302
    assert client_for("anonymous").get("/api/openapi.json").status_code == 302
    assert client_for("leadership").get("/api/openapi.json").status_code == 200
