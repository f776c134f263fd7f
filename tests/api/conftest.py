"""Calling the API as a program does: a personal token in the Authorization header, JSON bodies."""

from __future__ import annotations

import json

import pytest
from django.test import Client


class TokenClient:
    def __init__(self, secret: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)

    def patch(self, url, body=None):
        return self.client.patch(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)


def token_client(user) -> TokenClient:
    from kechuang.api.tokens import token_create

    return TokenClient(token_create(user=user, name="测试令牌")[1])


@pytest.fixture
def bearer():
    """``bearer(secret)`` → a client that sends that token."""
    return TokenClient


@pytest.fixture
def api_as(world):
    """``api_as(role)`` → a token client acting as that role's user in the shared world."""
    return lambda role: token_client(world.users[role])


def pytest_collection_modifyitems(config, items):
    """Under pytest 9.2, schemathesis 4.32's items all get the same node id (pytest builds it from
    ``originalname``, dropping the ``[GET /api/…]`` part schemathesis puts in ``name``). pytest-xdist
    schedules by node id, so under ``-n 2 --dist loadgroup`` every operation but one was silently
    dropped. Each operation's test gets its own id back: ``…::test_api_conforms_to_its_schema[GET /api/needs/]``."""
    from schemathesis.pytest.plugin import SchemathesisFunction

    for item in items:
        if isinstance(item, SchemathesisFunction) and item.operation_label and item.id.params is None:
            item._id = item.id.with_params(item.operation_label)
