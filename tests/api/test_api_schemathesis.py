"""schemathesis against the published OpenAPI schema: every operation (one test each, so pytest-xdist
spreads them), generated requests (valid and invalid) as a coordinator with a personal token (a
coordinator reaches every operation's happy path), on PostgreSQL, with a fixed seed. Zero server errors;
every status code documented; every body matching the schema of its status.

``KECHUANG_API_FUZZ_EXAMPLES`` examples per operation: 200 by default, in ``make test``'s PostgreSQL pass
(about eight minutes of wall time on two loaded cores); ``make test-api-fuzz`` runs the same tests alone.
Skipped on SQLite."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("KECHUANG_API_FUZZ_EXAMPLES", "200"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the API fuzz run is part of the PostgreSQL pass (make test-postgres / make test-api-fuzz)",
)


def _fragment(name):
    path = Path(__file__).parents[1] / "core" / f"matrix_{name}.py"
    spec = importlib.util.spec_from_file_location(f"fuzz_fragment_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _published_schema() -> dict:
    from kechuang.api.api import api

    return api.get_openapi_schema(path_prefix="/api/")


# the schema /api/openapi.json publishes (test_the_fuzzed_schema_is_the_published_one checks it)
schema = schemathesis.openapi.from_dict(_published_schema())
schema.app = WSGIHandler()


@pytest.fixture
def fuzz_world(world):
    """The shared world plus an event with meetings and requests, visits, agreements and matches,
    and the WSGI app called in this process (inside this test's database transaction)."""
    for name in ("events", "followup", "api"):
        _fragment(name).build(world)
    # the WSGI handler would close the test's connection (and its transaction) after each request;
    # Django's own test client prevents it the same way
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield world
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_published_one(world):
    client = Client()
    client.force_login(world.users["coordinator"])
    assert client.get("/api/openapi.json").json() == json.loads(json.dumps(_published_schema()))


@pytest.fixture
def token(fuzz_world):
    from kechuang.api.tokens import token_create

    return token_create(user=fuzz_world.users["coordinator"], name="schemathesis")[1]


@schema.parametrize()
@hsettings(
    max_examples=EXAMPLES,
    derandomize=True,  # the fixed seed: the same requests on every run
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)


def test_every_operation_is_a_test_of_its_own(request):
    """pytest-xdist schedules tests by node id: operations sharing one id would silently not run
    (tests/api/conftest.py gives each its own)."""
    ids = [item.nodeid for item in request.session.items if item.name.startswith("test_api_conforms_to_its_schema[")]
    assert len(ids) == len(set(ids))
    if len(ids) > 1:  # the whole file was collected, not a selection of it
        assert len(ids) == sum(1 for _ in schema.get_all_operations())
