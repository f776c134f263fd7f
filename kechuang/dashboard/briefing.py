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
        return f"近{above}"
    return f"{below}余"


def period_label(start: date | None, end: date) -> str:
    if start is None:
        return f"截至{end.year}年{end.month}月{end.day}日"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


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
    parts = [f"{period}，{area}已与{h.societies}家全国学会对接会议{approx(h.meetings)}次"]
    parts.append(f"梳理企业重大需求{approx(h.major_needs)}项")
    parts.append(f"走进园区{approx(h.visits)}场次")
    parts.append(f"签订合作协议{approx(h.agreements)}项")
    sentence = "，".join(parts)
    if h.bases:
        sentence += f"，建成成果转化基地和产业创新服务中心{h.bases}个"
    return sentence + "。"


def detail_sentence(h: Headline) -> str:
    """The exact figures behind the rounded sentence, for the footnote of a briefing."""
    amount = f"{h.amount_wan:,.0f}" if h.amount_wan == int(h.amount_wan) else f"{h.amount_wan:,.2f}"
    return (
        f"（精确数：对接学会{h.societies}家，对接会议{h.meetings}次，征集企业需求{h.needs}项，"
        f"其中重大需求{h.major_needs}项，走访{h.visits}场次，签订协议{h.agreements}项、"
        f"协议金额{amount}万元，基地和服务中心{h.bases}个。）"
    )
