"""The same block encoding in CNF, solved by MaxSAT (RC2) or SAT linear search (python-sat).

Why a second back-end: deciding "is there a schedule with at most k breaks?" is a pure
Boolean question, and on these instances a CDCL SAT solver (CaDiCaL) answers it in well under
a second where CP-SAT with two workers needs tens of seconds (its two workers are an LP-based
search and a local search). The published best solver for the benchmark is MaxSAT for the
same reason. Incremental solving keeps learnt clauses between the "<= k" questions; see
:func:`sat_search` for the strategies the solver runs side by side.

Variables: ``x[i,s]`` (meeting i in slot s), ``busy[p,s]``, ``seen[p,s]`` (p met at or before s)
and ``g[p,s]``: p's block starting at s is not the first one, i.e. one break. Breaks of p are
exactly ``sum_s g[p,s]`` (Definition 2.3), so the objective is a plain count of ``g`` literals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from .model import Problem

REDUNDANT_BUSY = True
WINDOWS = True


def _amo(lits: list[int], pool: IDPool) -> list[list[int]]:
    if len(lits) <= 1:
        return []
    if len(lits) <= 6:
        return [[-a, -b] for k, a in enumerate(lits) for b in lits[k + 1 :]]
    return CardEnc.atmost(lits, 1, vpool=pool, encoding=EncType.seqcounter).clauses


def _atmost(lits: list[int], k: int, pool: IDPool, encoding: int = EncType.seqcounter) -> list[list[int]]:
    if k >= len(lits):
        return []
    if k == 0:
        return [[-a] for a in lits]
    if k == 1:
        return _amo(lits, pool)
    return CardEnc.atmost(lits, k, vpool=pool, encoding=encoding).clauses


class SatEncoding:
    """CNF for the scheduling rules; fairness must be the "cap" form (see solver)."""

    def __init__(
        self,
        problem: Problem,
        fairness_cap: int | None,
        symmetric: bool = False,
        tables: str = "kmtotalizer",
        people_only: bool = False,
    ):
        """``people_only``: count table capacity on busy people alone where that is exact
        (every meeting has two people and a table), leaving out the count on meetings."""
        self.problem = problem
        pool = self.pool = IDPool()
        cls: list[list[int]] = []
        T = problem.n_slots
        n = len(problem.meetings)
        self.x: dict[tuple[int, int], int] = {}
        self.domains = [problem.allowed_slots(i) for i in range(n)]
        for i, dom in enumerate(self.domains):
            lits = [pool.id(("x", i, s)) for s in dom]
            for s, v in zip(dom, lits):
                self.x[i, s] = v
            cls.append(lits)
            cls += _amo(lits, pool)
        if symmetric and n:
            cls += [[-self.x[0, s]] for s in self.domains[0] if 2 * s > T + 1]

        self.g: list[int] = []
        self.g_of: dict[int, list[int]] = {}
        busy_at: dict[int, list[int]] = {s: [] for s in range(1, T + 1)}
        for p, ms in problem.meetings_of.items():
            busy: list[int | None] = [None] * (T + 2)
            for s in range(1, T + 1):
                terms = [self.x[i, s] for i in ms if (i, s) in self.x]
                if not terms:
                    continue
                cls += _amo(terms, pool)
                if len(terms) == 1:
                    busy[s] = terms[0]
                else:
                    b = pool.id(("busy", p, s))
                    cls.append([-b, *terms])
                    cls += [[-t, b] for t in terms]
                    busy[s] = b
            for s in range(1, T + 1):
                if busy[s] is not None:
                    busy_at[s].append(busy[s])
            seen: list[int | None] = [None] * (T + 2)
            gs: list[int] = []
            for s in range(1, T + 1):
                prev, cur = seen[s - 1], busy[s]
                if prev is None:
                    seen[s] = cur
                elif cur is None:
                    seen[s] = prev
                else:
                    v = pool.id(("seen", p, s))
                    cls += [[-v, prev, cur], [-prev, v], [-cur, v]]
                    seen[s] = v
                # g: a block starts at s after an earlier block (busy[s-1] false, seen[s-2] true)
                if cur is None or s < 3 or seen[s - 2] is None:
                    continue
                g = pool.id(("g", p, s))
                before, earlier = busy[s - 1], seen[s - 2]
                cls += [[-g, cur], [-g, earlier]]
                if before is None:
                    cls.append([-cur, -earlier, g])
                else:
                    cls += [[-g, -before], [-cur, before, -earlier, g]]
                gs.append(g)
            self.g += gs
            self.g_of[p] = gs
            if fairness_cap is not None:
                cls += _atmost(gs, fairness_cap, pool)
            # With no break, p's meetings fit in a window of len(ms) slots: say it directly,
            # which CDCL would otherwise have to learn by counting.
            if gs and len(ms) < T:
                nb = pool.id(("nobreak", p))
                cls.append([nb, *gs])
                cls += [[-nb, -g] for g in gs]
                slots = [s for s in range(1, T + 1) if busy[s] is not None]
                for a in slots:
                    for b in slots:
                        if b - a >= len(ms):
                            cls.append([-nb, -busy[a], -busy[b]])
                if WINDOWS:
                    # ... and as a choice of window start: nb -> one window, fully busy.
                    k = len(ms)
                    ys = []
                    for a in range(1, T - k + 2):
                        if any(busy[s] is None for s in range(a, a + k)):
                            continue
                        y = pool.id(("win", p, a))
                        ys.append((a, y))
                        cls += [[-y, busy[s]] for s in range(a, a + k)]
                    cls.append([-nb, *[y for _, y in ys]])
                    for s in slots:
                        cls.append([-nb, -busy[s], *[y for a, y in ys if a <= s < a + k]])
                    # A fully busy window holds all k meetings: none outside it (CDCL would
                    # need pigeonhole reasoning to see this).
                    for a, y in ys:
                        cls += [[-y, -busy[s]] for s in slots if not a <= s < a + k]

        people_exact = (
            REDUNDANT_BUSY
            and not problem.has_online  # online meetings' people are busy without a table
            and all(len(m.participants) == 2 for m in problem.meetings)
        )
        for s in range(1, T + 1):
            lits = [self.x[i, s] for i in range(n) if (i, s) in self.x and problem.at_table(i)]
            enc = getattr(EncType, tables)
            if not (people_exact and people_only):
                cls += _atmost(lits, problem.tables_at(s), pool, enc)
            if people_exact:
                # The same capacity counted on people: a slot with t tables has at most 2t
                # busy participants (exact: each busy person has one two-person meeting
                # there, so it replaces the count of meetings). Far fewer literals, and with
                # no-break windows it propagates long before the meetings are placed.
                cls += _atmost(busy_at[s], 2 * problem.tables_at(s), pool, enc)

        for a, b in problem.precedences:
            for s in self.domains[b]:
                cls.append([-self.x[b, s], *[self.x[a, t] for t in self.domains[a] if t < s]])
        self.clauses = cls

    def read(self, model: Sequence[int]) -> list[int]:
        true = {v for v in model if v > 0}
        out = [0] * len(self.problem.meetings)
        for (i, s), v in self.x.items():
            if v in true:
                out[i] = s
        return out

    def breaks(self, model: Sequence[int]) -> int:
        true = {v for v in model if v > 0}
        return sum(1 for g in self.g if g in true)


def zero_break_clauses(problem: Problem, tables: str = "seqcounter") -> tuple[list[list[int]], dict] | None:
    """CNF of "a schedule with no break at all", or None when someone cannot have a block.

    The consecutive-block view: with no break, participant p's ``k`` meetings fill exactly the
    slots ``a..a+k-1`` for one start ``a`` (``w[p,a]``, exactly one), so busy-ness is known from
    the window alone, a covered slot holds exactly one of p's meetings and an uncovered slot
    none; the windows of two partners must share an allowed slot of their meeting. Table
    capacity is counted on covered people when that is exact (two-person meetings at tables),
    else on meetings too. No ``seen``/``g`` variables: the general encoding needs them for
    counting breaks, but "0 breaks?" only needs windows, and asked this way it was answered in
    0.0–1.1 CPU s on all ten originals, where the general encoding with ``g = 0`` as units
    took 0.7–13 s (docs/adr/0035-scheduling-portfolio.md).
    """
    return window_clauses(problem, None, 0, tables)


def window_clauses(
    problem: Problem, relax: str | None, budget: int, tables: str = "seqcounter"
) -> tuple[list[list[int]], dict] | None:
    """The consecutive-block CNF and the slot variables (see :func:`_window_cnf`)."""
    built = _window_cnf(problem, relax, budget, tables)
    return None if built is None else built[:2]


def _window_cnf(
    problem: Problem, relax: str | None, budget: int | None, tables: str = "seqcounter"
) -> tuple[list[list[int]], dict, list[int], IDPool] | None:
    """The consecutive-block CNF with up to ``budget`` participants let off their one window.

    ``relax=None``: "0 breaks?" (:func:`zero_break_clauses`). ``relax="free"``: a let-off
    participant's meetings go anywhere (one per slot): a relaxation of "at most ``budget``
    breaks" (each break belongs to one participant), so a no proves at least ``budget + 1``
    breaks. ``relax="gap"``: a let-off participant's ``k`` meetings lie in a window of ``k + 1``
    slots (at most one break each): a yes is a schedule with at most ``budget`` breaks. Table
    capacity is then counted on meetings (exact) as well as on window-covered people (a subset
    of the busy ones). None when someone cannot have a block (``relax=None`` only).

    Returns the clauses, the slot variables, the let-off literals and the variable pool;
    ``budget=None`` leaves the number let off uncounted (the caller counts them, e.g. with
    assumptions on a totalizer).
    """
    pool = IDPool()
    cls: list[list[int]] = []
    T = problem.n_slots
    n = len(problem.meetings)
    x: dict[tuple[int, int], int] = {}
    doms = [problem.allowed_slots(i) for i in range(n)]
    for i, dom in enumerate(doms):
        lits = [pool.id(("x", i, s)) for s in dom]
        x.update({(i, s): v for s, v in zip(dom, lits)})
        cls.append(lits)
        cls += _amo(lits, pool)
    win: dict[int, dict[int, int]] = {}
    let_off: dict[int, int] = {}
    covered_at: dict[int, list[int]] = {s: [] for s in range(1, T + 1)}
    for p, ms in problem.meetings_of.items():
        k = len(ms)
        can = [s == 0 or any((i, s) in x for i in ms) for s in range(T + 1)]
        starts = [a for a in range(1, T - k + 2) if all(can[s] for s in range(a, a + k))]
        r = pool.id(("r", p)) if relax is not None and k >= 2 else None
        if not starts and r is None:
            return None
        win[p] = {a: pool.id(("w", p, a)) for a in starts}
        ws = list(win[p].values())
        cls.append([r, *ws] if r else ws)
        cls += _amo(ws, pool)
        gaps: dict[int, int] = {}
        if r is not None:
            let_off[p] = r
            cls += [[-r, -w] for w in ws]
            if relax == "gap":
                gaps = {
                    a: pool.id(("u", p, a))
                    for a in range(1, T - k + 1)
                    if sum(not can[s] for s in range(a, a + k + 1)) <= 1
                }
                us = list(gaps.values())
                cls.append([-r, *us])
                cls += _amo(us, pool)
                cls += [[r, -u] for u in us]
        for s in range(1, T + 1):
            terms = [x[i, s] for i in ms if (i, s) in x]
            cover = [w for a, w in win[p].items() if a <= s < a + k]
            if r is None and not cover:
                cls += [[-t] for t in terms]
                continue
            cls += _amo(terms, pool)
            cls += [[-w, *terms] for w in cover]
            escape = [r] if relax == "free" and r is not None else []
            gcover = [u for a, u in gaps.items() if a <= s <= a + k]
            cls += [[-t, *escape, *cover, *gcover] for t in terms]
            if not cover:
                continue
            if len(cover) == 1:
                covered_at[s].append(cover[0])
            else:
                c = pool.id(("cov", p, s))
                cls.append([-c, *cover])
                cls += [[-w, c] for w in cover]
                covered_at[s].append(c)
    for i, mt in enumerate(problem.meetings):
        allowed = doms[i]
        for p in mt.participants:
            for q in mt.participants:
                if p == q:
                    continue
                kp, kq = len(problem.meetings_of[p]), len(problem.meetings_of[q])
                for a, w in win[p].items():
                    ok = [
                        z
                        for b, z in win[q].items()
                        if any(a <= s < a + kp and b <= s < b + kq for s in allowed)
                    ]
                    if len(ok) < len(win[q]):
                        cls.append([-w, *([let_off[q]] if q in let_off else []), *ok])
    people_exact = not problem.has_online and all(len(m.participants) == 2 for m in problem.meetings)
    enc = getattr(EncType, tables)
    for s in range(1, T + 1):
        if people_exact:
            cls += _atmost(covered_at[s], 2 * problem.tables_at(s), pool, enc)
        if not people_exact or relax is not None:
            lits = [x[i, s] for i in range(n) if (i, s) in x and problem.at_table(i)]
            cls += _atmost(lits, problem.tables_at(s), pool, enc)
    for a, b in problem.precedences:
        for s in doms[b]:
            cls.append([-x[b, s], *[x[a, t] for t in doms[a] if t < s]])
    if relax is not None and budget is not None:
        cls += _atmost(list(let_off.values()), budget, pool)
    return cls, x, list(let_off.values()), pool


def _solve_cnf(n: int, built, solver: str = "cadical195", conflicts: int | None = None) -> list[int] | bool | None:
    """Slots per meeting from a model of ``built`` (CNF, x), False when unsatisfiable, None when
    the conflict budget ran out."""
    if built is None:
        return False
    cls, x = built
    with Solver(name=solver, bootstrap_with=cls) as sat:
        if conflicts is not None:
            sat.conf_budget(conflicts)
        answer = sat.solve_limited() if conflicts is not None else sat.solve()
        if not answer:
            return None if answer is None else False
        true = {v for v in sat.get_model() if v > 0}
    out = [0] * n
    for (i, s), v in x.items():
        if v in true:
            out[i] = s
    return out


def window_ladder(
    problem: Problem,
    fairness_cap: int | None,
    emit: Callable[..., None],
    lb: int = 1,
    gap: bool = False,
    conflicts: int | None = None,
) -> None:
    """Raise the bound on block encodings, and look for a schedule that meets it.

    With ``lb`` known (after "0 breaks?" said no), for k = lb, lb + 1, …: "at most k participants
    with a one-slot gap, everyone else in one block?" (only with ``gap``: slow on the
    benchmark, 17–20 CPU s where it is asked) — a yes is a schedule with at most k breaks, the
    optimum since k is the bound; then "at most k participants with any breaks?" — a no proves
    k + 1 (``emit("lb", k + 1)``); a yes, or a question that spends ``conflicts``, ends the
    ladder (the rest is the general encoding's work). Each break belongs to one participant,
    so this bound is the number of participants who must have one; where the optimum gives
    each of them one break it is the optimum (forumt-14: 5 in 0.7 CPU s, forumt-14crafd: 4 in
    0.95 s; docs/adr/0038-scheduling-proof-first.md).
    """
    from .model import breaks_by_participant

    people = sum(1 for ms in problem.meetings_of.values() if len(ms) >= 2)
    if lb > people:
        return
    # "at most k let off?" for every k on one solver: the CNF is built once and k is an
    # assumption on a totalizer over the let-off literals, so what one question learns serves
    # the next. Rebuilding per question cost 7.2 CPU s on forum-13crafc.fixed020-Forb and 25.0
    # on ticf-14crafa.fixed020-Forb to reach the same bounds (0.55 and 2.9 this way, at load ~4;
    # ADR 0049).
    built = _window_cnf(problem, "free", None)
    if built is None:  # a meeting without any slot: the quick checks name that
        return
    cls, _, let_off, pool = built
    tot = ITotalizer(lits=let_off, ubound=people, top_id=pool.top)
    with Solver(name="cadical195", bootstrap_with=cls + tot.cnf.clauses) as sat:
        k = lb
        while k <= people:
            if gap and (fairness_cap is None or fairness_cap >= 1):
                got = _solve_cnf(len(problem.meetings), window_clauses(problem, "gap", k), conflicts=conflicts)
                if got:
                    emit("ub", sum(breaks_by_participant(problem, got).values()), got)
                    return
            assumption = [-tot.rhs[k]] if k < len(tot.rhs) else []  # sum(let off) <= k
            if conflicts is not None:
                sat.conf_budget(conflicts)
            if sat.solve_limited(assumptions=assumption) is not False:
                return
            k += 1
            emit("lb", k)


def zero_break_schedule(problem: Problem, solver: str = "cadical195") -> list[int] | None:
    """A schedule with no break (slots per meeting), or None when there is none (proven)."""
    built = zero_break_clauses(problem)
    if built is None:
        return None
    cls, x = built
    with Solver(name=solver, bootstrap_with=cls) as sat:
        if not sat.solve():
            return None
        true = {v for v in sat.get_model() if v > 0}
    out = [0] * len(problem.meetings)
    for (i, s), v in x.items():
        if v in true:
            out[i] = s
    return out


def sat_search(
    problem: Problem,
    fairness_cap: int | None,
    emit: Callable[..., None],
    strategy: str = "upper",
    solver: str = "cadical195",
    tables: str = "kmtotalizer",
    symmetric: bool = False,
    zero_first: bool = False,
    quick: str | None = None,
    lns: bool = False,
    people_only: bool = False,
    skip_zero: bool = False,
    rc2_opts: dict | None = None,
    ladder: bool = False,
    pattern: bool = False,
    start_lb: int = 0,
) -> None:
    """Search for the fewest breaks, reporting progress through ``emit``.

    ``emit("lb", k)`` when "fewer than k breaks" is proven impossible, ``emit("ub", breaks,
    slots)`` for each better schedule, ``emit("infeasible")`` and finally ``emit("done")``.
    Calls are not interruptible (CaDiCaL is the strongest solver here and cannot be
    interrupted through python-sat), so run this in a process and stop it at the deadline.

    Strategies (measured on the table-tight originals, see docs/adr/0002):

    * ``upper``: any schedule first, then "fewer breaks than the best so far?" until that is
      unsatisfiable (SAT-UNSAT linear search). Every answer is a better schedule, so the
      schedule improves steadily; the last question proves optimality.
    * ``rc2``: core-guided MaxSAT (RC2, one soft clause "no break here" per potential break):
      only the breaks that unsatisfiable cores blame are relaxed, so the questions stay close
      to "no break for almost everyone" and the no-break windows keep propagating. Reports
      the lower bound after every core and the optimum at the end.
    * ``lower``: "0 breaks?", then "<= k" for growing k over all breaks (bounds only).
    * ``zero``: only "0 breaks?" (the solver asks it alone before starting the portfolio),
      then with ``pattern`` the bound of :func:`patterns.pattern_bound`, reported as
      ``emit("pattern", bound or None)``, then with ``ladder`` the lower bounds of
      :func:`window_ladder`.
    * ``target``: with ``start_lb`` proven, ask "at most lb breaks?" at once (no schedule
      first): a yes is an optimal schedule, a no raises the bound by one
      (:func:`_target_search`).

    ``zero_first`` asks "0 breaks?" before anything else, on the consecutive-block encoding
    (:func:`zero_break_clauses`): fast either way, and 0 is the common optimum on real events;
    ``rc2``, ``lower`` and ``zero`` ask it first unless ``skip_zero`` (already asked). ``quick`` names a solver that gets a
    bounded number of conflicts to find the first schedule (MiniSat found one on ticf-14crafa
    in a quarter of CaDiCaL's time); CaDiCaL then starts from it (phases).
    """
    lb = 0
    if (zero_first or strategy in ("rc2", "lower", "zero")) and not skip_zero:
        zero = zero_break_schedule(problem)
        if zero is not None:
            emit("ub", 0, zero)
            emit("done")
            return
        lb = 1
        emit("lb", 1)
    if strategy == "zero":
        if pattern and lb >= 1:
            from .patterns import pattern_bound

            got = pattern_bound(problem, fairness_cap)
            if got is not None and got > lb:
                lb = got
                emit("lb", lb)
            emit("pattern", got)
        if ladder and lb >= 1:
            window_ladder(problem, fairness_cap, emit, lb, conflicts=LADDER_CONFLICTS)
        emit("done")
        return
    enc = SatEncoding(problem, fairness_cap, symmetric, tables, people_only)
    if strategy == "rc2":
        _rc2_search(enc, emit, **(rc2_opts or {}))
        return
    if strategy == "target":
        _target_search(enc, emit, max(lb, start_lb), solver)
        return
    sat = Solver(name=solver, bootstrap_with=enc.clauses)
    try:
        model = _quick_model(enc, quick) if quick else None
        if model is not None:
            sat.set_phases(model)  # CaDiCaL continues from the quick solver's schedule
        elif sat.solve():
            model = sat.get_model()
        else:
            emit("infeasible")
            emit("done")
            return
        ub = enc.breaks(model)
        emit("ub", ub, enc.read(model))
        if ub <= lb:
            emit("done")
            return
        tot = ITotalizer(lits=enc.g, ubound=ub, top_id=enc.pool.top)
        for c in tot.cnf.clauses:
            sat.add_clause(c)
        if strategy == "lower":
            while lb < ub:
                if sat.solve(assumptions=[-tot.rhs[lb]]):  # sum(g) <= lb
                    model = sat.get_model()
                    ub = enc.breaks(model)
                    emit("ub", ub, enc.read(model))
                    break
                lb += 1
                emit("lb", lb)
        elif lns:
            _descend_lns(sat, enc, tot, model, ub, lb, emit)
        else:
            while ub > lb:
                if not sat.solve(assumptions=[-tot.rhs[ub - 1]]):  # sum(g) <= ub - 1?
                    emit("lb", ub)
                    break
                model = sat.get_model()
                ub = enc.breaks(model)
                emit("ub", ub, enc.read(model))
        emit("done")
    finally:
        sat.delete()


QUICK_CONFLICTS = 200_000
# Per question of the window ladder. Only a "no" raises the bound; on all 70 benchmark instances
# every "no" came within 12,069 conflicts (most within 7,500), while a "yes" (which ends the
# ladder and proves nothing) took up to 150,000: at 30,000 the ladder spent 7.4 CPU s of
# forum-13crafc's budget on a question that could only end it (docs/adr/0049).
LADDER_CONFLICTS = 15_000
LNS_CONFLICTS = 3_000  # per neighbourhood question
LNS_ROUNDS = 12  # neighbourhood questions between two whole-schedule questions
FULL_CONFLICTS = 20_000  # first budget of a whole-schedule question; doubles when spent


def _descend_lns(sat, enc: SatEncoding, tot, model: list[int], ub: int, lb: int, emit, seed: int = 0) -> None:
    """Linear search for fewer breaks, mostly by large-neighbourhood questions.

    A neighbourhood question keeps most meetings at their slots in the best schedule
    (assumptions) and asks for fewer breaks by moving the rest: the meetings of a few
    participants with breaks and of their partners, or those in a window of slots. These
    questions are small and answered within a conflict budget; after ``LNS_ROUNDS`` failures a
    whole-schedule question (growing budget) either improves, or proves the bound when it is
    unsatisfiable.
    """
    import random

    rng = random.Random(seed)  # noqa: S311 - search diversification, not a secret
    p = enc.problem
    T = p.n_slots
    slots = enc.read(model)
    full_budget = FULL_CONFLICTS
    partners: dict[int, set[int]] = {
        q: {r for i in ms for r in p.meetings[i].participants} for q, ms in p.meetings_of.items()
    }
    while ub > lb:
        true = {v for v in model if v > 0}
        broken = [q for q, gs in enc.g_of.items() if any(g in true for g in gs)]
        improved = False
        for _ in range(LNS_ROUNDS if broken else 0):
            if rng.random() < 0.5:
                chosen = set(rng.sample(broken, min(len(broken), rng.randint(1, 3))))
                people = set().union(*(partners[q] for q in chosen))
                free = (
                    {i for q in people for i in p.meetings_of[q]}
                    if len(people) < 0.4 * len(partners)
                    else set()
                )
                if not free:
                    free = {i for q in chosen for i in p.meetings_of[q]}
            else:
                w = max(2, T // 3)
                a = rng.randint(1, max(1, T - w + 1))
                q = rng.choice(broken)
                free = {i for i, s in enumerate(slots) if a <= s < a + w} | set(p.meetings_of[q])
            keep = [enc.x[i, s] for i, s in enumerate(slots) if i not in free]
            sat.conf_budget(LNS_CONFLICTS)
            if sat.solve_limited(assumptions=[*keep, -tot.rhs[ub - 1]]):
                improved = True
                break
        if not improved:
            sat.conf_budget(full_budget)
            answer = sat.solve_limited(assumptions=[-tot.rhs[ub - 1]])
            if answer is False:
                emit("lb", ub)
                return
            if answer is None:
                full_budget *= 2
                continue
        model = sat.get_model()
        ub = enc.breaks(model)
        slots = enc.read(model)
        emit("ub", ub, slots)


TARGET_MARGIN = 8  # questions above the starting bound before the target search gives up


def _target_search(enc: SatEncoding, emit: Callable[..., None], lb: int, solver: str) -> None:
    """Ask "at most lb breaks?" for lb = the proven bound, lb + 1, ...: the first yes is optimal.

    Where the bound is already the optimum (the pattern bound on tic-13crafc) this is one
    satisfiable question, about 5 CPU s there, where the linear search descending from its
    first schedule needed 15 s or more to reach the same value. "done" is only sent with a
    schedule that meets the bound (the parent takes "done" as a proof).
    """
    if not enc.g:
        return
    top = min(len(enc.g), lb + TARGET_MARGIN)
    tot = ITotalizer(lits=enc.g, ubound=top, top_id=enc.pool.top)
    with Solver(name=solver, bootstrap_with=enc.clauses + tot.cnf.clauses) as sat:
        while lb < top:
            if sat.solve(assumptions=[-tot.rhs[lb]]):  # sum(g) <= lb
                model = sat.get_model()
                emit("ub", enc.breaks(model), enc.read(model))
                emit("done")
                return
            lb += 1
            emit("lb", lb)


def _quick_model(enc: SatEncoding, name: str) -> list[int] | None:
    """A first schedule from another solver within a conflict budget, or None."""
    with Solver(name=name, bootstrap_with=enc.clauses) as quick:
        quick.conf_budget(QUICK_CONFLICTS)
        if quick.solve_limited():
            return quick.get_model()
    return None


def _rc2_search(enc: SatEncoding, emit: Callable[..., None], solver: str = "cd19", **opts) -> None:
    """Core-guided MaxSAT on the encoding: hard clauses plus a soft ``-g`` per potential break."""
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    class _Reporting(RC2):
        def process_core(self):  # each core raises the proven lower bound
            super().process_core()
            emit("lb", self.cost)

    w = WCNF()
    w.extend(enc.clauses)
    for g in enc.g:
        w.append([-g], weight=1)
    with _Reporting(w, solver=solver, **opts) as rc2:
        model = rc2.compute()
        if model is None:
            emit("infeasible")
        else:
            emit("ub", enc.breaks(model), enc.read(model))
            emit("lb", rc2.cost)
    emit("done")
