"""Helpers shared by the accounts tests."""

from __future__ import annotations

PASSWORD = "pw-test-123"


def post_login(client, username, password, ip="10.0.0.1", **extra):
    from django.urls import reverse

    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=ip
    )
