"""Shared fixtures: a small hand-countable world with one user per role and needs of every
confidentiality, so access rules can be asserted object by object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from race import db_conf  # noqa: F401 - the fixture for thread races, shared by every test folder


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the platform's default language. A request with another
    Accept-Language activates it for the rest of the thread (LocaleMiddleware never deactivates),
    so without this a service's message language depended on which test ran before it in the same
    xdist worker (tests/experts/test_contact_requests.py failed after tests/api's English requests)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()

ROLES = ("coordinator", "district", "enterprise", "liaison", "expert", "leadership")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    chains: dict = field(default_factory=dict)
    needs: dict = field(default_factory=dict)
    experts: dict = field(default_factory=dict)
    achievements: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # kind -> key -> object, filled by matrix fragments


def make_need(
    world,
    key,
    *,
    enterprise,
    district,
    confidentiality="public",
    status="reviewed",
    chain="materials",
    title=None,
    days_ago=1,
    submitted_by=None,
    **extra,
):
    from kechuang.needs.models import Need, NeedStageFact, NeedStatusChange

    at = timezone.now() - timedelta(days=days_ago)
    need = Need.objects.create(
        enterprise=world.orgs[enterprise],
        title=title or f"需求{key}",
        chain=world.chains[chain],
        district=world.areas[district],
        background="背景说明",
        problem="需要解决石墨烯规模化制备中的分散与一致性问题",
        goal="实现吨级稳定生产",
        confidentiality=confidentiality,
        status=status,
        status_changed_at=at,
        created_at=at,
        submitted_by=submitted_by,
        **extra,
    )
    NeedStatusChange.objects.create(need=need, from_status="", to_status="submitted", at=at, by=submitted_by)
    if status != "submitted":
        NeedStatusChange.objects.create(need=need, from_status="submitted", to_status=status, at=at)
    NeedStageFact.rebuild([need.pk])  # fixtures write history directly, so keep the dashboard facts too
    world.needs[key] = need
    return need


def build_world() -> World:
    from kechuang.accounts.models import Area, User
    from kechuang.demo.loader import COORDINATOR_APPS
    from kechuang.experts.models import Achievement, Expert
    from kechuang.orgs.models import IndustryChain, Organisation

    w = World()
    city = Area.objects.create(code="qd", name="青岛市", kind="city")
    w.areas["laixi"] = Area.objects.create(code="qd-laixi", name="莱西市", kind="district", parent=city)
    w.areas["laixi-zone"] = Area.objects.create(
        code="qd-laixi-kfq", name="莱西经济开发区", kind="zone", parent=w.areas["laixi"]
    )
    w.areas["laoshan"] = Area.objects.create(code="qd-laoshan", name="崂山区", kind="district", parent=city)
    w.chains["materials"] = IndustryChain.objects.create(
        code="materials", name="新能源新材料", task_force="新能源新材料专班"
    )
    w.chains["agri"] = IndustryChain.objects.create(
        code="agri", name="现代农业与农机装备", task_force="现代农业专班"
    )
    Org = Organisation
    w.orgs["soc"] = Org.objects.create(name="中国材料研究学会", kind="society")
    w.orgs["soc2"] = Org.objects.create(name="中国农业机械学会", kind="society")
    w.orgs["uni"] = Org.objects.create(name="某材料大学", kind="university")
    w.orgs["ent"] = Org.objects.create(
        name="山东领军科技集团", kind="enterprise", district=w.areas["laixi"], chain=w.chains["materials"]
    )
    w.orgs["ent2"] = Org.objects.create(
        name="崂山某农机公司", kind="enterprise", district=w.areas["laoshan"], chain=w.chains["agri"]
    )
    w.experts["own"] = Expert.objects.create(
        name="王石墨",
        title="教授",
        affiliation=w.orgs["uni"],
        fields=["石墨烯"],
        keywords=["石墨烯", "规模化制备"],
    )
    w.experts["own"].societies.add(w.orgs["soc"])
    w.experts["other"] = Expert.objects.create(name="李农机", title="研究员", fields=["农业机械"])
    w.experts["other"].societies.add(w.orgs["soc2"])
    w.achievements["own"] = Achievement.objects.create(
        title="石墨烯宏量制备技术",
        owner_society=w.orgs["soc"],
        owner_expert=w.experts["own"],
        description="说明",
        maturity="pilot",
        transfer_mode="license",
    )
    w.achievements["other"] = Achievement.objects.create(
        title="智能播种机",
        owner_society=w.orgs["soc2"],
        description="说明",
        maturity="industrial",
        transfer_mode="transfer",
    )
    mk = User.objects.create_user
    w.users["coordinator"] = mk("coordinator", password="pw-test-123", role="coordinator", is_staff=True)
    from django.contrib.auth.models import Permission

    w.users["coordinator"].user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=COORDINATOR_APPS)
    )
    w.users["district"] = mk("district", password="pw-test-123", role="district", area=w.areas["laixi"])
    w.users["enterprise"] = mk(
        "enterprise", password="pw-test-123", role="enterprise", organisation=w.orgs["ent"]
    )
    w.users["liaison"] = mk("liaison", password="pw-test-123", role="liaison", organisation=w.orgs["soc"])
    w.users["expert"] = mk("expert", password="pw-test-123", role="expert", expert=w.experts["own"])
    w.users["leadership"] = mk("leadership", password="pw-test-123", role="leadership")
    # needs: public in 莱西 (of ent), confidential of ent, public in 崂山 (ent2), coordinators-only of ent2,
    # a public need in a 莱西 functional zone, a submitted (not yet reviewed) public need
    make_need(w, "pub_laixi", enterprise="ent", district="laixi", title="石墨烯规模化制备")
    make_need(
        w, "conf_ent", enterprise="ent", district="laixi", confidentiality="matched", title="保密的石墨烯配方"
    )
    make_need(w, "pub_laoshan", enterprise="ent2", district="laoshan", chain="agri", title="农机智能化升级")
    make_need(
        w,
        "secret_ent2",
        enterprise="ent2",
        district="laoshan",
        chain="agri",
        confidentiality="coordinators",
        title="绝密农机方案",
    )
    make_need(w, "pub_zone", enterprise="ent", district="laixi-zone", title="开发区石墨提纯")
    make_need(
        w,
        "new_ent2",
        enterprise="ent2",
        district="laoshan",
        chain="agri",
        status="submitted",
        title="待审农机需求",
    )
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(client, world):
    """``client_for(role)`` → a test client logged in as that role's user."""

    def login(role: str):
        if role == "anonymous":
            client.logout()
        else:
            client.force_login(world.users[role])
        return client

    return login


# The PostgreSQL pass (make test-postgres) runs only the tests that can reach the database. pytest-django
# refuses database access to a test that neither is marked ``django_db`` nor uses a database fixture
# (directly or through another fixture, e.g. ``world``), so such a test cannot behave differently on
# PostgreSQL: it already ran in the SQLite pass. About a third of the suite (engines, parsers, the
# scheduler's brute-force checks) and a third of the CI time. A test that depends on the database
# *setting* without touching the database can ask to run in both passes with ``@pytest.mark.every_db``.
_DB_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def reaches_database(item) -> bool:
    """Whether ``item`` may touch the database (a ``django_db`` mark or a database fixture)."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("every_db"):
        return True
    return bool(_DB_FIXTURES.intersection(getattr(item, "fixturenames", ())))


# The longest tests start first (longest-first keeps both xdist workers busy to the end: the crawler, ~4–8
# minutes, collected last, used to run alone at the end of the pass). Listed here, longest first, from the
# durations each pass prints (make test: --durations); then the tests marked ``slow``.
_LONGEST_FIRST = (
    "tests/security/test_crawler.py",
    "tests/ops/test_serve.py",
    "tests/ops/test_shared_cache.py",
    "tests/ops/test_backup.py",
    "tests/events/app/test_events_races.py",
    "tests/dashboard/test_dashboard_parts.py::test_kept_parts_agree_with_a_recount_after_random_writes",
    "tests/events/scheduling/test_sched_solver.py::test_pattern_bound_never_exceeds_brute_force",
    "tests/ops/test_healthz.py::test_db_worker_beats_while_it_runs_and_removes_its_row_when_it_stops",
    "tests/ops/test_connection_reuse.py",
    "tests/needs/test_need_edit.py::test_two_editors_at_once_exactly_one_wins",
    "tests/security/test_bad_input.py",
)


def _longest_first(item) -> int:
    """The item's place: its entry in ``_LONGEST_FIRST`` (in that order), then ``slow`` marks, then the rest."""
    for rank, prefix in enumerate(_LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(_LONGEST_FIRST) + (0 if item.get_closest_marker("slow") else 1)


def pytest_collection_modifyitems(config, items):
    import os

    items.sort(key=_longest_first)  # stable: the same order in every xdist worker
    if os.environ.get("KECHUANG_DB") != "postgres" or os.environ.get("KECHUANG_PG_ALL_TESTS") == "1":
        return
    kept, dropped = [], []
    for item in items:
        (kept if reaches_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
