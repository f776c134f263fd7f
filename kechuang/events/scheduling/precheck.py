"""Quick necessary conditions: name the rule that makes an instance infeasible, in milliseconds.

A solver that says only "infeasible" after a minute helps nobody; most real infeasibilities
are simple (a participant with more meetings than free slots, a morning that cannot hold all
morning meetings), so we look for those first and say which rule and who, before modelling.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import AFTERNOON, EITHER, MORNING, Problem, Violation
from .validator import (
    FAIRNESS,
    FIXED,
    PARTICIPANT_OVERLAP,
    PRECEDENCE,
    SESSION,
    TABLE_CAPACITY,
    UNAVAILABLE,
)


def _domain_rule(problem: Problem, i: int) -> Violation:
    """Why meeting ``i`` has no slot left: the combination of rules that emptied it."""
    m = problem.meetings[i]
    label = f"meeting {m.id} ({' & '.join(map(str, m.participants))})"
    session = set(problem.session_slots(m.session))
    blocked: set[int] = set()
    for p in m.participants:
        blocked |= problem.unavailable.get(p, frozenset())
    if not session:
        return Violation(SESSION, f"{label} wants a session that has no slots", meeting=i)
    if m.online:  # needs no table: only the session, availability and a fixed slot can empty it
        if i in problem.fixed and problem.fixed[i] not in session:
            return Violation(
                f"{FIXED},{SESSION}",
                f"{label} is fixed to slot {problem.fixed[i]}, outside its session",
                meeting=i,
            )
        if i in problem.fixed:
            return Violation(
                f"{FIXED},{UNAVAILABLE}",
                f"{label} is fixed to slot {problem.fixed[i]}, where a participant is unavailable",
                meeting=i,
                slot=problem.fixed[i],
            )
        rule = UNAVAILABLE if m.session == EITHER else f"{SESSION},{UNAVAILABLE}"
        return Violation(
            rule, f"{label}: its participants are never available together in its session", meeting=i
        )
    if i in problem.fixed:
        s = problem.fixed[i]
        if s not in session:
            return Violation(
                f"{FIXED},{SESSION}", f"{label} is fixed to slot {s}, outside its session", meeting=i
            )
        if s in blocked:
            who = [p for p in m.participants if s in problem.unavailable.get(p, ())]
            return Violation(
                f"{FIXED},{UNAVAILABLE}",
                f"{label} is fixed to slot {s}, where participant {who[0]} is unavailable",
                meeting=i,
                participant=who[0],
                slot=s,
            )
        return Violation(
            TABLE_CAPACITY, f"{label} is fixed to slot {s}, which has no tables", meeting=i, slot=s
        )
    if session - blocked:
        return Violation(TABLE_CAPACITY, f"{label}: every slot it could take has no tables", meeting=i)
    rule = UNAVAILABLE if m.session == EITHER else f"{SESSION},{UNAVAILABLE}"
    return Violation(
        rule, f"{label}: its participants are never available together in its session", meeting=i
    )


def precheck(problem: Problem) -> list[Violation]:
    """Necessary conditions; a non-empty list proves infeasibility and names the rules."""
    out: list[Violation] = []
    domains = [problem.allowed_slots(i) for i in range(len(problem.meetings))]
    for i, d in enumerate(domains):
        if not d:
            out.append(_domain_rule(problem, i))
    if out:
        return out

    # Per participant: enough distinct slots for all meetings (Hall's condition on the union,
    # and per session for meetings bound to one session).
    for p, ms in sorted(problem.meetings_of.items()):
        free = set().union(*(domains[i] for i in ms))
        if len(ms) > len(free):
            out.append(
                Violation(
                    PARTICIPANT_OVERLAP,
                    f"participant {p} has {len(ms)} meetings but only {len(free)} slots where they can meet",
                    participant=p,
                )
            )
            continue
        for sess, word in ((MORNING, "morning"), (AFTERNOON, "afternoon")):
            bound = [i for i in ms if set(domains[i]) <= set(problem.session_slots(sess))]
            free_s = set().union(*(domains[i] for i in bound)) if bound else set()
            if len(bound) > len(free_s):
                out.append(
                    Violation(
                        f"{PARTICIPANT_OVERLAP},{SESSION}",
                        f"participant {p} has {len(bound)} {word} meetings but only {len(free_s)} {word} slots",
                        participant=p,
                    )
                )
        fixed_slots = Counter(problem.fixed[i] for i in ms if i in problem.fixed)
        for s, n in sorted(fixed_slots.items()):
            if n > 1:
                out.append(
                    Violation(
                        f"{FIXED},{PARTICIPANT_OVERLAP}",
                        f"participant {p} has {n} meetings fixed to slot {s}",
                        participant=p,
                        slot=s,
                    )
                )

    # Tables: in total, per session, and per slot for fixed meetings.
    # (online meetings take no table: only meetings at a table count)
    cap = {s: problem.tables_at(s) for s in range(1, problem.n_slots + 1)}
    at_table = [d for i, d in enumerate(domains) if problem.at_table(i)]
    if len(at_table) > sum(cap.values()):
        out.append(
            Violation(
                TABLE_CAPACITY,
                f"{len(at_table)} meetings but only {sum(cap.values())} table-slots in the day",
            )
        )
    for sess, word in ((MORNING, "morning"), (AFTERNOON, "afternoon")):
        slots = set(problem.session_slots(sess))
        need = sum(1 for d in at_table if set(d) <= slots)
        have = sum(cap[s] for s in slots)
        if need > have:
            out.append(
                Violation(
                    f"{TABLE_CAPACITY},{SESSION}",
                    f"{word} session capacity exceeded: {need} meetings need the {word}, it has {have} table-slots",
                )
            )
    for s, n in sorted(Counter(s for i, s in problem.fixed.items() if problem.at_table(i)).items()):
        if n > cap.get(s, 0):
            out.append(
                Violation(
                    f"{FIXED},{TABLE_CAPACITY}",
                    f"{n} meetings fixed to slot {s}, which has {cap[s]} tables",
                    slot=s,
                )
            )

    out.extend(_precedence_check(problem, domains))
    if not out:
        out.extend(_overlap_check(problem))
    return out


def fixed_breaks_check(problem: Problem, cap: int) -> list[Violation]:
    """Participants whose fixed meetings alone force more than ``cap`` breaks.

    Between two consecutive fixed slots of a participant lies a gap; it costs no break only if
    the participant's other meetings fill all of it. Even placing those meetings anywhere (no
    session, availability or table rule: a relaxation), filling the smallest gaps first leaves
    the fewest breaks. More than ``cap`` proves the cap cannot hold. For fairness in its cap form
    only (someone has at most one meeting, so nobody may have more than ``cap`` breaks).
    ticf-14crafa.fixed040-Forb: three such participants, named in milliseconds, where the SAT
    portfolio said "infeasible" after 1.4 s and relaxing rule groups then took 12 s to name
    every group (docs/adr/0050).
    """
    out: list[Violation] = []
    for p, ms in sorted(problem.meetings_of.items()):
        fixed = sorted(problem.fixed[i] for i in ms if i in problem.fixed)
        spare = len(ms) - len(fixed)
        gaps = sorted(b - a - 1 for a, b in zip(fixed, fixed[1:]) if b - a > 1)
        breaks = len(gaps)
        for g in gaps:
            if g > spare:
                break
            spare -= g
            breaks -= 1
        if breaks > cap:
            out.append(
                Violation(
                    f"{FIXED},{FAIRNESS}",
                    f"participant {p}'s fixed meetings (slots {', '.join(map(str, fixed))}) leave at least "
                    f"{breaks} breaks, more than the {cap} allowed",
                    participant=p,
                )
            )
    return out


def _domains_without(problem: Problem, skip: frozenset[str]) -> list[set[int]]:
    """``allowed_slots`` with the rule groups in ``skip`` left out."""
    out = []
    for i, m in enumerate(problem.meetings):
        slots = set(range(1, problem.n_slots + 1)) if SESSION in skip else set(problem.session_slots(m.session))
        if UNAVAILABLE not in skip:
            for p in m.participants:
                slots -= problem.unavailable.get(p, frozenset())
        if FIXED not in skip and i in problem.fixed:
            slots &= {problem.fixed[i]}
        out.append({s for s in slots if m.online or problem.tables_at(s) > 0})
    return out


def _overlap_fails(problem: Problem, domains: list[set[int]]) -> int | None:
    """A participant whose meetings cannot take distinct slots, or None.

    A meeting with one possible slot takes it from its participants' other meetings (to a fixed
    point), then each participant's meetings must match distinct slots (Hall's condition, by
    augmenting paths): what an all-different constraint's propagation sees at once, where the
    SAT search needed seconds to refute it (docs/adr/0038-scheduling-proof-first.md).
    """
    doms = [set(d) for d in domains]
    of = problem.meetings_of
    queue = [i for i, d in enumerate(doms) if len(d) == 1]
    while queue:
        i = queue.pop()
        if len(doms[i]) != 1:
            continue
        (s,) = doms[i]
        for p in problem.meetings[i].participants:
            for j in of[p]:
                if j != i and s in doms[j]:
                    doms[j].discard(s)
                    if not doms[j]:
                        return p
                    if len(doms[j]) == 1:
                        queue.append(j)
    for p, ms in of.items():
        owner: dict[int, int] = {}
        if not all(_augment(doms, owner, i, set()) for i in ms):
            return p
    return None


def _augment(doms: list[set[int]], owner: dict[int, int], i: int, seen: set[int]) -> bool:
    """Kuhn's augmenting path: give meeting ``i`` a slot, moving others along if need be."""
    for s in doms[i]:
        if s not in seen:
            seen.add(s)
            if s not in owner or _augment(doms, owner, owner[s], seen):
                owner[s] = i
                return True
    return False


def _overlap_check(problem: Problem) -> list[Violation]:
    """Distinct slots per participant after propagating single-slot meetings; names each rule
    group (fixed slots, availability, sessions) without which the conflict disappears."""
    p = _overlap_fails(problem, _domains_without(problem, frozenset()))
    if p is None:
        return []
    rules = [PARTICIPANT_OVERLAP] + [
        g for g in (FIXED, UNAVAILABLE, SESSION) if _overlap_fails(problem, _domains_without(problem, frozenset({g}))) is None
    ]
    return [
        Violation(
            ",".join(rules),
            f"participant {p}'s meetings cannot all get distinct slots under these rules: " + ", ".join(rules),
            participant=p,
        )
    ]


def _precedence_check(problem: Problem, domains: list[list[int]]) -> list[Violation]:
    """Cycles and bound propagation along precedence chains (earliest/latest slots)."""
    if not problem.precedences:
        return []
    succ: dict[int, list[int]] = defaultdict(list)
    indeg: Counter[int] = Counter()
    nodes: set[int] = set()
    for a, b in problem.precedences:
        succ[a].append(b)
        indeg[b] += 1
        nodes |= {a, b}
    order, queue = [], [n for n in nodes if indeg[n] == 0]
    while queue:
        n = queue.pop()
        order.append(n)
        for b in succ[n]:
            indeg[b] -= 1
            if indeg[b] == 0:
                queue.append(b)
    if len(order) < len(nodes):
        cyc = sorted(n for n in nodes if indeg[n] > 0)
        ids = ", ".join(str(problem.meetings[i].id) for i in cyc[:5])
        return [Violation(PRECEDENCE, f"precedences form a cycle through meetings {ids}", meeting=cyc[0])]
    est = {i: domains[i][0] for i in nodes}
    lst = {i: domains[i][-1] for i in nodes}
    for a in order:
        for b in succ[a]:
            est[b] = min((s for s in domains[b] if s > est[a] and s >= est[b]), default=10**9)
    for a in reversed(order):
        for b in succ[a]:
            lst[a] = max((s for s in domains[a] if s < lst[b] and s <= lst[a]), default=-1)
    out = []
    for i in order:
        if est[i] > lst[i]:
            m = problem.meetings[i]
            out.append(
                Violation(
                    PRECEDENCE,
                    f"meeting {m.id} cannot be placed: its precedences need a slot after {est[i] - 1} "
                    f"and before {lst[i] + 1}",
                    meeting=i,
                )
            )
            break
    return out
