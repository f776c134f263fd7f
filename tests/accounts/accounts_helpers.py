"""Helpers shared by the accounts tests. (Deliberately not a conftest.py: a second module named
``conftest`` would shadow tests/conftest.py for tests that ``from conftest import build_world``.)"""

from __future__ import annotations

PASSWORD = "pw-test-123"


def post_login(client, username, password, ip="10.0.0.1", **extra):
    from django.urls import reverse

    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=ip
    )


def make_users():
    """A coordinator (staff, like the demo's), an enterprise user and a superuser."""
    from django.contrib.auth.models import Permission

    from kechuang.accounts.models import User
    from kechuang.demo.loader import COORDINATOR_APPS
    from kechuang.orgs.models import Organisation

    org = Organisation.objects.create(name="Haier Smart Home 海尔智家", short_name="Haier", kind="enterprise")
    coord = User.objects.create_user("coordinator", password=PASSWORD, role="coordinator", is_staff=True)
    coord.user_permissions.set(Permission.objects.filter(content_type__app_label__in=COORDINATOR_APPS))
    ent = User.objects.create_user("enterprise", password=PASSWORD, role="enterprise", organisation=org)
    root = User.objects.create_superuser("root", password=PASSWORD, email="root@example.org")
    return {"coordinator": coord, "enterprise": ent, "root": root, "org": org}
