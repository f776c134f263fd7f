from __future__ import annotations

import pytest
from accounts_helpers import PASSWORD


@pytest.fixture
def users(db):
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
