"""Fixtures for the matching app tests: the shared small world plus conflicts and documents."""

from __future__ import annotations

import pytest
from matching_fakes import FakeEmbedder  # noqa: E402,F401  (re-exported for fixtures)


@pytest.fixture(autouse=True)
def _fresh_index_cache():
    from kechuang.matching import index

    index.clear_cache()
    yield
    index.clear_cache()


@pytest.fixture
def mworld(world):
    """The shared world plus: a publication for the graphene expert, an expert employed by the
    enterprise, one with a declared previous partnership, and users for them."""
    from kechuang.accounts.models import User
    from kechuang.experts.models import Achievement, Expert, Publication
    from kechuang.matching.models import ConflictOfInterest

    own = world.experts["own"]
    Publication.objects.create(
        expert=own,
        title="石墨烯粉体规模化制备的分散工艺",
        abstract="针对石墨烯规模化制备中的分散问题，提出了液相剥离与表面改性结合的方法。批次一致性显著提高。",
    )
    insider = Expert.objects.create(
        name="赵内部",
        title="高级工程师",
        affiliation=world.orgs["ent"],
        fields=["石墨烯"],
        keywords=["石墨烯", "规模化制备", "一致性"],
    )
    insider.societies.add(world.orgs["soc"])
    partner = Expert.objects.create(
        name="钱合作", title="教授", fields=["石墨烯"], keywords=["石墨烯", "分散", "规模化制备"]
    )
    partner.societies.add(world.orgs["soc"])
    ConflictOfInterest.objects.create(
        expert=partner, organisation=world.orgs["ent"], kind="previous_partnership", note="2024年合作开发"
    )
    Achievement.objects.create(
        title="石墨烯分散液制备技术",
        owner_society=world.orgs["soc"],
        owner_expert=partner,
        description="石墨烯规模化制备与分散。",
        maturity="pilot",
        transfer_mode="license",
    )
    world.experts["insider"] = insider
    world.experts["partner"] = partner
    world.users["partner"] = User.objects.create_user(
        "partner", password="pw-test-123", role="expert", expert=partner
    )
    return world
