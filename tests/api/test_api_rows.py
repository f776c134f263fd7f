"""The API lists print their rows without model instances or schema validation (ADR 0054), byte for
byte as they did, with the same audit and no more queries.

``reference_api.py`` keeps the lists as they were (ORM rows through the ninja schemas, audited by
``ListedNeedsPagination``) under ``/api-ref/``; every request below is made to both, on the demo, for
every role, in zh-hans and en, across pages, filters, orderings and refused parameters.
"""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from kechuang.accounts.models import User
from kechuang.core.models import AuditEntry
from kechuang.experts.models import Expert
from kechuang.needs.models import Need

NEEDS = [
    "", "?offset=50", "?offset=100&limit=50", "?limit=7&offset=3", "?limit=200", "?offset=1000000",
    "?ordering=-title", "?ordering=deadline", "?ordering=-status_changed_at", "?ordering=status&limit=80",
    "?status=submitted", "?chain=robot", "?district=qd-jiaozhou", "?district=nowhere",
    "?confidentiality=coordinators", "?confidentiality=matched", "?major=true", "?q=材料", "?q=zzzz-none",
    "?limit=0", "?limit=201", "?offset=-1", "?ordering=owner", "?status=bogus", "?major=perhaps",
]
EXPERTS = ["", "?offset=50", "?limit=200", "?limit=3&offset=300", "?q=人工智能", "?q=大学", "?q=zzzz-none",
           "?limit=0", "?offset=abc"]
USERS = ["coordinator", "leadership", "district", "enterprise", "expert", "liaison"]


@pytest.fixture
def demo(db):
    from kechuang.demo.loader import load_demo

    load_demo(fast_passwords=True)
    Expert.objects.create(name="无单位专家 No Affiliation", title="", fields=["材料"], keywords=[])  # affiliation null


def _get(client, url):
    """Status, content type, body, the audit entries the request wrote and its number of queries."""
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    audit = list(
        AuditEntry.objects.filter(pk__gt=last).order_by("pk")
        .values_list("actor_id", "action", "object_type", "object_id", "object_repr", "changes")
    )
    return (response.status_code, response["Content-Type"], response.content), audit, len(queries)


@override_settings(ROOT_URLCONF="tests.api.reference_api")
@pytest.mark.parametrize("username", USERS)
def test_the_lists_print_the_same_bytes_and_audit_as_the_schema_based_lists(demo, username, monkeypatch):
    # the session's last-seen stamp is rewritten once a minute (two more queries): with the clock
    # running, a slow run (a CI machine under load) charged that write to whichever request came
    # after the minute, and the query counts below compared a write with no write
    monkeypatch.setattr("kechuang.accounts.middleware._now", lambda: 1_800_000_000.0)
    user = User.objects.get(username=username)
    seen_confidential = False
    for language in ("zh-hans", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for resource, queries in (("needs", NEEDS), ("experts", EXPERTS)):
            for query in queries:
                before, audit_before, queries_before = _get(client, f"/api-ref/{resource}/{query}")
                after, audit, n = _get(client, f"/api/{resource}/{query}")
                where = (username, language, resource, query)
                assert after == before, where
                assert audit == audit_before, where
                assert n <= queries_before, (*where, n, queries_before)
                if after[0] == 200 and resource == "needs":
                    items = json.loads(after[2])["items"]
                    seen_confidential |= any(i["confidentiality"] != "public" for i in items)
    if username == "coordinator":  # not vacuous: confidential rows were listed, and audited
        assert seen_confidential
        assert AuditEntry.objects.filter(action="need.view_confidential", changes__via="api:needs").exists()


@override_settings(ROOT_URLCONF="tests.api.reference_api")
def test_the_lists_are_compared_with_real_rows(demo):
    """The comparison above is not of two empty lists: the demo lists many needs and experts, on several pages."""
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    needs = json.loads(client.get("/api/needs/?offset=50").content)
    experts = json.loads(client.get("/api/experts/").content)
    assert needs["count"] > 100 and len(needs["items"]) == 50
    assert experts["count"] > 100 and len(experts["items"]) == 50
    assert any(e["affiliation"] is None for e in json.loads(client.get("/api/experts/?q=无单位").content)["items"])


def test_the_lists_build_no_model_instances(demo):
    """A row is a tuple read from the database, not a Need (or Expert) and its related objects. (The
    needs list builds a light Need per row for ``need_label`` and the audit, from the tuple: no query
    reads one.)"""
    from django.db.models.query import ModelIterable

    original = ModelIterable.__iter__

    def no_needs_or_experts(self):
        if self.queryset.model in (Need, Expert):
            raise AssertionError(f"a {self.queryset.model.__name__} was read as a model instance")
        return original(self)

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    with mock.patch.object(ModelIterable, "__iter__", no_needs_or_experts):
        assert client.get("/api/needs/").status_code == 200
        assert client.get("/api/experts/").status_code == 200


def test_the_documented_response_is_unchanged(demo):
    """The OpenAPI schema still documents the paginated lists (items then count) and their parameters."""
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    schema = json.loads(client.get("/api/openapi.json").content)
    for path, item in (("/api/needs/", "NeedOut"), ("/api/experts/", "ExpertOut")):
        op = schema["paths"][path]["get"]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert ok == f"Paged{item}"
        assert list(schema["components"]["schemas"][ok]["properties"]) == ["items", "count"]
        assert {"limit", "offset"} <= {p["name"] for p in op["parameters"]}


def test_the_api_rows_print_titles_through_need_label_and_refuse_an_unchecked_queryset(demo):
    """``api_need_rows`` reads the visibility mark ``need_list`` computed: a queryset without it
    (not checked against the reader) is an error, never a list of raw titles."""
    from django.core.exceptions import FieldError

    from kechuang.needs import selectors

    user = User.objects.get(username="enterprise")
    with pytest.raises(FieldError):
        selectors.api_need_rows(user, Need.objects.all(), via="api:needs")

    with mock.patch.object(selectors, "need_label", wraps=selectors.need_label) as label:
        rows = selectors.api_need_rows(user, selectors.need_list(user=user), via="api:needs")
        labels = [c.args[1].pk for c in label.call_args_list]
    assert rows and labels == [row[0] for row in rows]
    assert {row[1] for row in rows} == set(Need.objects.filter(pk__in=labels).values_list("title", flat=True))
