"""The matching panel on the need page (``kechuang/core/extensions.py`` NEED_PANELS)."""

from __future__ import annotations


def matching_panel(request, need):
    from kechuang.matching import selectors

    user = request.user
    matches, mine = selectors.need_panel_rows(user=user, need=need)  # mine in SQL: a liaison's inbox can be long
    coordinator = user.is_coordinator
    accepted = [m for m in matches if m.status == "accepted"]
    if not (coordinator or accepted or mine):
        return None
    return {
        "template": "matching/_need_panel.html",
        "is_coordinator": coordinator,
        "matches": matches,
        "accepted": accepted,
        "mine": mine,
    }


NEED_PANELS = [matching_panel]
