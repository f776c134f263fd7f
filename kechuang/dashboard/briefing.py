"""The words of a briefing: the "余/近" rounding rule and the summary sentence (no Django here).

Rule (docs/adr/0004-dashboard-figures.md), for a whole number ``n``:

- ``n < 10`` or ``n`` a multiple of its unit → the exact number ("7", "20", "300");
  the unit is 10 for two-digit numbers, 100 for three digits, 1000 for four, and so on;
- ``n`` within 20 % of a unit *below* the next multiple → "近" + that multiple ("18" → "近20",
  "98" → "近100", "285" → "近300");
- otherwise → the multiple below + "余" ("23" → "20余", "108" → "100余", "1250" → "1000余").

So a figure is never overstated: "20余" means more than 20, "近20" means a little under 20.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext, ngettext, pgettext


def approx(n: int) -> str:
    """Round ``n`` the way briefings do: "20余", "近20", or the exact number."""
    if n < 0:
        raise ValueError("counts are never negative")
    if n < 10:
        return str(n)
    unit = 10 ** (len(str(n)) - 1)
    if n % unit == 0:
        return str(n)
    below = n - n % unit
    above = below + unit
    if above - n <= unit * 0.2:
        return gettext("近%(above)s") % {"above": above}
    return gettext("%(below)s余") % {"below": below}


def period_label(start: date | None, end: date) -> str:
    if start is None:
        return gettext("截至%(year)s年%(month)s月%(day)s日") % {"year": end.year, "month": end.month, "day": end.day}
    return gettext("%(year)s年%(month)s月%(day)s日至%(year2)s年%(month2)s月%(day2)s日") % {"year": start.year, "month": start.month, "day": start.day, "year2": end.year, "month2": end.month, "day2": end.day}


@dataclass(frozen=True)
class Headline:
    societies: int
    meetings: int
    needs: int
    major_needs: int
    visits: int
    agreements: int
    amount_wan: float  # 万元
    bases: int


def summary_sentence(h: Headline, *, period: str, area: str) -> str:
    """The one sentence leadership quotes, in the article's form, every number from ``h``.

    Societies are counted exactly (as the article does: "17家"); the other figures are rounded with
    :func:`approx`. The period and the area are always stated.
    """
    # each count agrees with its noun in English (ngettext; Chinese reads the same either way)
    societies = ngettext("%(societies)s家全国学会", "%(societies)s家全国学会", h.societies) % {"societies": h.societies}
    parts = [ngettext("%(period)s，%(area)s已与%(societies)s对接会议%(approx)s次", "%(period)s，%(area)s已与%(societies)s对接会议%(approx)s次", h.meetings) % {"period": period, "area": area, "societies": societies, "approx": approx(h.meetings)}]
    parts.append(ngettext("梳理企业重大需求%(approx)s项", "梳理企业重大需求%(approx)s项", h.major_needs) % {"approx": approx(h.major_needs)})
    parts.append(ngettext("走进园区%(approx)s场次", "走进园区%(approx)s场次", h.visits) % {"approx": approx(h.visits)})
    parts.append(ngettext("签订合作协议%(approx)s项", "签订合作协议%(approx)s项", h.agreements) % {"approx": approx(h.agreements)})
    # the punctuation is the language's too: "，" and "。" left in an English sentence read as typos
    sentence = pgettext("between clauses", "，").join(parts)
    if h.bases:
        sentence += ngettext("，建成成果转化基地和产业创新服务中心%(bases)s个", "，建成成果转化基地和产业创新服务中心%(bases)s个", h.bases) % {"bases": h.bases}
    sentence += pgettext("end of a sentence", "。")
    return sentence[:1].upper() + sentence[1:]  # English starts with "As of"; Chinese has no case


def detail_sentence(h: Headline) -> str:
    """The exact figures behind the rounded sentence, for the footnote of a briefing."""
    amount = f"{h.amount_wan:,.0f}" if h.amount_wan == int(h.amount_wan) else f"{h.amount_wan:,.2f}"
    figures = [
        ngettext("对接学会%(societies)s家", "对接学会%(societies)s家", h.societies) % {"societies": h.societies},
        ngettext("对接会议%(meetings)s次", "对接会议%(meetings)s次", h.meetings) % {"meetings": h.meetings},
        ngettext("征集企业需求%(needs)s项，其中重大需求%(major_needs)s项", "征集企业需求%(needs)s项，其中重大需求%(major_needs)s项", h.needs) % {"needs": h.needs, "major_needs": h.major_needs},
        ngettext("走访%(visits)s场次", "走访%(visits)s场次", h.visits) % {"visits": h.visits},
        ngettext("签订协议%(agreements)s项、协议金额%(amount)s万元", "签订协议%(agreements)s项、协议金额%(amount)s万元", h.agreements) % {"agreements": h.agreements, "amount": amount},
        ngettext("基地和服务中心%(bases)s个", "基地和服务中心%(bases)s个", h.bases) % {"bases": h.bases},
    ]
    return gettext("（精确数：%(figures)s。）") % {"figures": pgettext("between clauses", "，").join(figures)}
