"""The live agenda: the open page polls a small fragment with its version; nothing comes back
(204) until a re-plan changes what the participant sees, then the new table with the moved
meetings marked."""

from __future__ import annotations

import re

from kechuang.events import services
from kechuang.events.models import Meeting


def _version(html: str) -> str:
    return re.search(r'data-version="([0-9a-f]+)"', html).group(1)


def test_fragment_is_empty_until_a_replan_moves_a_meeting(world, mm, client_for):
    coord = world.users["coordinator"]
    services.schedule_generate(user=coord, event=mm.event)
    rep = mm.reps["a"]
    c = client_for("enterprise")
    page = c.get(f"/events/participants/{rep.pk}/").content.decode()
    v = _version(page)
    assert f"/events/participants/{rep.pk}/live/?v={v}" in page and 'hx-trigger="every 3s"' in page
    live = f"/events/participants/{rep.pk}/live/"
    r = c.get(live, {"v": v})
    assert r.status_code == 204 and r["ETag"] == f'"{v}"' and not r.content
    assert c.get(live, HTTP_IF_NONE_MATCH=f'"{v}"').status_code == 304

    # the representative cannot make the first slot of their first meeting; the coordinator re-plans
    m = Meeting.objects.filter(event=mm.event, enterprise=rep, status="scheduled").order_by("slot").first()
    services.participant_set_unavailable(user=coord, participant=rep, slots=[m.slot])
    r = c.get(live, {"v": v})
    assert r.status_code == 200  # the unavailable slot shows: a change
    v = _version(r.content.decode())
    assert c.get(live, {"v": v}).status_code == 204
    services.schedule_replan(user=coord, event=mm.event, reason="企业代表有事")
    r = c.get(live, {"v": v})
    html = r.content.decode()
    assert r.status_code == 200 and _version(html) != v
    assert 'data-testid="agenda-updated"' in html and 'data-testid="moved-row"' in html
    m.refresh_from_db()
    assert f"原第{m.previous_slot}场" in html
    # the full page marks the moved meeting too, without the "updated" note
    page = c.get(f"/events/participants/{rep.pk}/").content.decode()
    assert 'data-testid="moved-row"' in page and 'data-testid="agenda-updated"' not in page


def test_fragment_follows_the_agenda_access_rules(world, mm, client_for):
    # 李三 represents another enterprise: their agenda is not 领军's to see, live or not
    assert client_for("enterprise").get(f"/events/participants/{mm.reps['c'].pk}/").status_code == 404
    assert client_for("enterprise").get(f"/events/participants/{mm.reps['c'].pk}/live/").status_code == 404
    assert client_for("enterprise").get(f"/events/participants/{mm.reps['a'].pk}/live/").status_code == 200
