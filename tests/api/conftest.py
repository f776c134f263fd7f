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
