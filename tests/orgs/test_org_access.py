"""Who sees which organisations (kechuang/orgs/access_rules.py), role by role."""

from __future__ import annotations

import pytest

from kechuang.orgs import selectors

ORGS = {
    "coordinator": {"soc", "soc2", "uni", "ent", "ent2"},
    "leadership": {"soc", "soc2", "uni", "ent", "ent2"},
    "district": {"soc", "soc2", "ent"},  # its area's organisations, and every society
    "enterprise": {"ent"},
    "liaison": {"soc"},
    "expert": {"soc", "uni"},  # its society and its employer
}


@pytest.mark.parametrize("role", sorted(ORGS))
def test_organisation_list_scope(world, role):
    ids = set(selectors.organisation_list(user=world.users[role]).values_list("pk", flat=True))
    assert {k for k, o in world.orgs.items() if o.pk in ids} == ORGS[role]


def test_an_organisation_outside_scope_is_404(world, client_for):
    ent2 = world.orgs["ent2"]
    assert client_for("district").get(f"/orgs/{ent2.pk}/").status_code == 404
    assert client_for("leadership").get(f"/orgs/{ent2.pk}/").status_code == 200
