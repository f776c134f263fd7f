"""The site's root sends a signed-in reader straight to their landing page, in one redirect."""

from __future__ import annotations

import pytest
from accounts_helpers import make_users
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_root_redirects_once_to_the_role_landing_page(client):
    from kechuang.accounts.models import User

    users = make_users()
    lead = User.objects.create_user("lead", password="x-Pw-12345", role="leadership")
    assert client.get("/").url == reverse("accounts:login")
    client.force_login(lead)  # leadership lands on the dashboard, not via /home/
    assert client.get("/").url == reverse("dashboard:index")
    assert client.get(reverse("home:home")).url == reverse("dashboard:index")  # old links still work
    for name in ("coordinator", "enterprise"):
        client.force_login(users[name])
        got = client.get("/")
        assert got.status_code == 302 and got.url == reverse("home:home")
        assert client.get(got.url).status_code == 200
