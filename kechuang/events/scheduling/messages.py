"""What each rule means, in Chinese (the platform's first language) and English, keyed by rule id.

The validator, the quick checks and the infeasibility explanation name rules by stable ids
(``participant_overlap``, ``table_capacity``, …; several joined by commas when only their
combination fails). People read this table: the pages, and the CLI with ``--lang zh``.
The English detail of each violation (``Violation.message``) is kept as it was; in Chinese a
violation reads as its rule's message plus where (meeting, participant, slot).
"""

from __future__ import annotations

from .model import INFEASIBLE, UNKNOWN, SolveResult, Violation

LANGS = ("zh", "en")

RULE_MESSAGES: dict[str, dict[str, str]] = {
    "slot_range": {"zh": "场次超出范围", "en": "slot out of range"},
    "participant_overlap": {
        "zh": "同一参会者在同一场次有两场洽谈",
        "en": "a participant has two meetings in one slot",
    },
    "table_capacity": {"zh": "同一场次的洽谈数超过可用桌数", "en": "more meetings in a slot than tables"},
    "table_assignment": {
        "zh": "洽谈桌无效或重复（含已停用的桌）",
        "en": "invalid or shared table (including a table out of use)",
    },
    "session": {"zh": "上午/下午场要求不符", "en": "meeting outside its requested session"},
    "unavailable": {
        "zh": "安排在参会者不能参加的场次",
        "en": "meeting in a slot a participant cannot attend",
    },
    "fixed": {"zh": "固定场次被改动", "en": "a fixed meeting moved"},
    "precedence": {"zh": "先后顺序不符", "en": "meetings out of the required order"},
    "fairness": {
        "zh": "空档分配不公平（空档数差距过大）",
        "en": "breaks unfairly spread (difference too large)",
    },
    "online": {"zh": "线上洽谈不应占用洽谈桌", "en": "an online meeting takes a table"},
    "selection": {"zh": "洽谈配对无法按容量选出", "en": "pairs cannot be chosen within capacities"},
}

STATUS_MESSAGES: dict[str, dict[str, str]] = {
    "optimal": {"zh": "最优（已证明空档最少）", "en": "optimal"},
    "feasible": {"zh": "可行（未证明最优）", "en": "feasible"},
    "infeasible": {"zh": "无可行方案", "en": "infeasible"},
    "unknown": {"zh": "求解时限内未找到方案", "en": "time limit reached"},
}


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "zh"


def rule_message(rule: str | None, lang: str = "zh") -> str:
    """The message of a rule id, or of several comma-joined ids ("；"/"; "-separated)."""
    parts = [p for p in (rule or "").split(",") if p]
    lang = _lang(lang)
    sep = "；" if lang == "zh" else "; "
    return sep.join(RULE_MESSAGES.get(p, {}).get(lang, p) for p in parts)


def violation_message(v: Violation, lang: str = "zh") -> str:
    """One violation for a person: in English its detailed message; in Chinese its rule's message
    and where it is (meeting ids as shown to people, participant and slot numbers)."""
    if _lang(lang) == "en":
        return f"[{v.rule}] {v.message}"
    where = []
    if v.meeting is not None:
        where.append(f"洽谈序号 {v.meeting + 1}")
    if v.participant is not None:
        where.append(f"参会者 {v.participant}")
    if v.slot is not None:
        where.append(f"第 {v.slot} 场")
    return f"[{v.rule}] {rule_message(v.rule, 'zh')}" + (f"（{'，'.join(where)}）" if where else "")


def result_message(res: SolveResult, lang: str = "zh") -> str:
    """Why a solve gave no schedule, for a person: the rule(s) that cannot all hold, or the time
    limit. Empty when there is nothing to explain."""
    lang = _lang(lang)
    if res.status == INFEASIBLE and res.rule:
        if lang == "en":
            return res.message or rule_message(res.rule, "en")
        several = "," in res.rule
        out = ("以下规则无法同时满足：" if several else "无法满足规则：") + rule_message(res.rule, "zh")
        if res.undecided:
            out += "（其中是否必须包含以下规则未能在时限内确定：" + rule_message(res.undecided, "zh") + "）"
        return out
    if res.status == UNKNOWN:
        return STATUS_MESSAGES[UNKNOWN][lang]
    return res.message if lang == "en" else ""
