"""Every figure of the dashboard for one scope, read together (what the page and briefings show)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kechuang.core.beside import beside
from kechuang.dashboard.selectors.breakdowns import by_district, by_month, by_society
from kechuang.dashboard.selectors.coverage import by_chain
from kechuang.dashboard.selectors.funnel import funnel
from kechuang.dashboard.selectors.headline import headline
from kechuang.dashboard.selectors.scope import Scope


@dataclass
class Dashboard:
    scope: Scope
    headline: dict
    chains: list[dict] = field(default_factory=list)
    districts: list[dict] = field(default_factory=list)
    societies: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)
    funnel: list[dict] = field(default_factory=list)


def dashboard(user, scope: Scope) -> Dashboard:
    """Every figure. The funnel (one query over every need's stage facts, the longest) is read on a
    second connection while the needs counts and the records are read on this one (ADR 0060)."""
    scope.memo.clear()  # figures are read afresh on every call; shared reads live for this call only
    the_funnel = beside(funnel, user, scope)
    try:
        return Dashboard(
            scope=scope,
            headline=headline(user, scope),
            chains=by_chain(user, scope),
            districts=by_district(user, scope),
            societies=by_society(user, scope),
            months=by_month(user, scope),
            funnel=the_funnel.result(),
        )
    finally:
        the_funnel.wait()  # on an error above too: the read ends before the scope's parts store goes
        scope.memo.clear()
