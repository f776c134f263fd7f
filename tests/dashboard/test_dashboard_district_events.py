"""A district's events count for it: held there (its district or one of its zones), or — when the
event names no district — organised by a body of that district. Two districts, each counted apart."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from kechuang.dashboard import selectors as s
from kechuang.events.models import Event
from kechuang.orgs.models import Organisation

END = date(2026, 12, 31)


def at(m: int, d: int) -> datetime:
    return datetime.combine(date(2026, m, d), time(12), tzinfo=ZoneInfo("Asia/Shanghai"))


def test_each_district_counts_its_own_events(world, dash):
    laixi_gov = Organisation.objects.create(
        name="莱西市人民政府", kind="government", district=world.areas["laixi"]
    )
    city_gov = Organisation.objects.create(
        name="青岛市科协", kind="government", district=world.areas["laixi"].parent
    )

    def ev(title, district=None, organisers=(), kind="matchmaking", m=3, d=12):
        e = Event.objects.create(
            title=title,
            kind=kind,
            start=at(m, d),
            end=at(m, d),
            district=world.areas[district] if district else None,
        )
        e.organisers.set(organisers)
        return e

    ev("莱西开发区对接会", district="laixi-zone")  # held in a zone of 莱西
    ev("莱西市政府主办对接会", organisers=[laixi_gov, city_gov])  # no district: its local organiser decides
    ev("崂山对接会二", district="laoshan", organisers=[laixi_gov])  # held in 崂山: counts there only
    ev("市级座谈会", kind="symposium", organisers=[city_gov])  # the city's own: whole city only

    def meetings(role, district=None):
        return s.headline(
            world.users[role], s.dashboard_scope(user=world.users[role], district=district, end=END)
        )["meetings"]

    # the shared world already has E1 (莱西 对接会), E2 (座谈会, no district) and E4 (崂山 对接会)
    assert meetings("coordinator", "qd-laixi") == 1 + 2
    assert meetings("district") == 1 + 2  # district staff of 莱西, their own scope
    assert meetings("coordinator", "qd-laixi-kfq") == 1
    assert meetings("coordinator", "qd-laoshan") == 1 + 1
    assert meetings("coordinator") == 3 + 4  # the city counts every event once
