"""Schedule meetings into slots and tables with the fewest breaks, under fairness.

``solve`` runs the quick checks (``precheck`` names an impossible instance at once), then one of
two back-ends on the same block encoding (docs/adr/0002-scheduling-encoding.md):

* **SAT portfolio** (``engine="sat"``; the default when fairness is off or a cap — someone has at
  most one meeting, so "any two differ by at most d" is ``breaks[p] <= d`` — and no hint is
  given): first "0 breaks?" alone on the consecutive-block encoding (``satenc.zero_break_clauses``,
  docs/adr/0035), then the CNF of ``satenc`` in one forked process per worker (:data:`PORTFOLIO`), MaxSAT
  (RC2) proving bounds beside a SAT-UNSAT linear search that asks "0 breaks?" first; the parent
  keeps the best schedule and bound and stops both at the deadline or when they meet. Where the
  busy-pattern relaxation (``patterns``, docs/adr/0046) gives a bound, "at most that many?" is
  asked at once in RC2's place.
* **CP-SAT** (otherwise, or ``engine="cpsat"``): ``BlockEncoding`` searched lower bound first
  ("total <= lb?" for lb = 0, 1, …); if a question takes too long it optimises once for a
  schedule and a bound, then resumes raising the bound.

The encoding: ``x[i,s]`` (meeting ``i`` in slot ``s``, only where its session, availability and
a fixed slot allow); ``busy[p,s] == sum x[i,s]`` (no participant twice in a slot, and a boolean
for time); ``start[p,s] = busy[p,s] and not busy[p,s-1]``, so breaks are ``blocks - 1``
(Definition 2.3), a plain sum of booleans; fairness as a cap, else min/max variables (CP-SAT);
slot-reversal symmetry broken when the instance is symmetric (one portfolio process leaves that
clause out). An infeasible answer with no named rule is explained by ``explain_infeasible``.
Tables are numbered after slots are chosen, and every schedule passes the validator first.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import multiprocessing.connection as mp_connection
import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from .model import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    Problem,
    SolveResult,
    Violation,
    breaks_by_participant,
)
from .patterns import may_apply
from .precheck import fixed_breaks_check, precheck
from .validator import (
    DEFAULT_FAIRNESS,
    FAIRNESS,
    FIXED,
    PRECEDENCE,
    SESSION,
    TABLE_CAPACITY,
    UNAVAILABLE,
    validate,
)

log = logging.getLogger(__name__)  # DEBUG: each search's reports, as they arrive

# Rule groups that the infeasibility explanation may switch off one by one.
RELAXABLE = (SESSION, UNAVAILABLE, FIXED, PRECEDENCE, TABLE_CAPACITY, FAIRNESS)


def _fairness_is_cap(problem: Problem) -> bool:
    """Some participant always has 0 breaks (0 or 1 meeting), so fairness caps everyone."""
    return len(problem.meetings_of) < problem.n_participants or any(
        len(ms) <= 1 for ms in problem.meetings_of.values()
    )


def _symmetric(p: Problem) -> bool:
    """Reversing the slots maps schedules to schedules with the same breaks."""
    caps = [p.tables_at(s) for s in range(1, p.n_slots + 1)]
    return (
        bool(p.meetings)
        and all(mt.session == 3 for mt in p.meetings)
        and not any(p.unavailable.values())
        and not p.fixed
        and not p.precedences
        and caps == caps[::-1]
    )


class BlockEncoding:
    """The CP-SAT model described in the module docstring.

    With ``relax=True`` every rule group in :data:`RELAXABLE` is guarded by a literal in
    ``self.groups`` (used as assumptions to find which rules conflict); otherwise domains are
    pre-filtered, which is what makes the normal model small.
    """

    def __init__(
        self,
        problem: Problem,
        fairness: int | None = DEFAULT_FAIRNESS,
        relax: bool = False,
        keep: Sequence[int] | None = None,
    ):
        self.problem = problem
        self.m = m = cp_model.CpModel()
        T = problem.n_slots
        n = len(problem.meetings)
        self.groups: dict[str, cp_model.IntVar] = {}
        if relax:
            self.groups = {g: m.NewBoolVar(g) for g in RELAXABLE}

        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.domains: list[list[int]] = []
        for i in range(n):
            dom = list(range(1, T + 1)) if relax else problem.allowed_slots(i)
            self.domains.append(dom)
            for s in dom:
                self.x[i, s] = m.NewBoolVar(f"x{i}_{s}")
            m.AddExactlyOne(self.x[i, s] for s in dom)
        if relax:
            self._guard_domains()

        # busy / start / breaks per participant.
        self.breaks: dict[int, cp_model.LinearExprT] = {}
        self.busy: dict[tuple[int, int], cp_model.IntVar] = {}
        self.start_vars: list[cp_model.IntVar] = []
        for p, ms in problem.meetings_of.items():
            prev = None
            starts = []
            for s in range(1, T + 1):
                terms = [self.x[i, s] for i in ms if (i, s) in self.x]
                if not terms:
                    prev = None
                    continue
                if len(terms) == 1:
                    b = terms[0]
                else:
                    b = m.NewBoolVar(f"busy{p}_{s}")
                    m.Add(b == sum(terms))
                self.busy[p, s] = b
                if prev is None:
                    starts.append(b)
                else:
                    st = m.NewBoolVar(f"start{p}_{s}")
                    m.Add(st >= b - prev)
                    m.AddImplication(st, b)
                    m.AddImplication(st, prev.Not())
                    starts.append(st)
                    self.start_vars.append(st)
                prev = b
            m.Add(sum(starts) >= 1)
            self.breaks[p] = sum(starts) - 1

        # Tables per slot (online meetings take none).
        for s in range(1, T + 1):
            terms = [self.x[i, s] for i in range(n) if (i, s) in self.x and problem.at_table(i)]
            if len(terms) > problem.tables_at(s):
                ct = m.Add(sum(terms) <= problem.tables_at(s))
                if relax:
                    ct.OnlyEnforceIf(self.groups[TABLE_CAPACITY])

        # Precedences on slot numbers.
        for a, b in problem.precedences:
            ct = m.Add(self.slot_expr(a) + 1 <= self.slot_expr(b))
            if relax:
                ct.OnlyEnforceIf(self.groups[PRECEDENCE])

        # Fairness.
        if fairness is not None and self.breaks:
            if _fairness_is_cap(problem):
                for e in self.breaks.values():
                    ct = m.Add(e <= fairness)
                    if relax:
                        ct.OnlyEnforceIf(self.groups[FAIRNESS])
            else:
                lo = m.NewIntVar(0, T, "min_breaks")
                hi = m.NewIntVar(0, T, "max_breaks")
                cts = [m.Add(hi - lo <= fairness)]
                for e in self.breaks.values():
                    cts += [m.Add(lo <= e), m.Add(e <= hi)]
                if relax:
                    for ct in cts:
                        ct.OnlyEnforceIf(self.groups[FAIRNESS])

        self.total = m.NewIntVar(0, sum(max(0, len(ms) - 1) for ms in problem.meetings_of.values()), "breaks")
        m.Add(self.total == sum(self.breaks.values()))

        if keep is not None:  # re-planning: count meetings moved away from their old slot
            self.moved_terms = []
            for i, s in enumerate(keep):
                if s and (i, s) in self.x:
                    self.moved_terms.append(self.x[i, s].Not())
                elif s:
                    self.moved_terms.append(1)
        if not relax and _symmetric(problem):
            # Reversing all slots maps a schedule to one with the same breaks.
            m.Add(2 * self.slot_expr(0) <= T + 1)

    def _guard_domains(self) -> None:
        p, m = self.problem, self.m
        for i, mt in enumerate(p.meetings):
            session = set(p.session_slots(mt.session))
            blocked = set().union(*(p.unavailable.get(q, frozenset()) for q in mt.participants))
            for s in self.domains[i]:
                if s not in session:
                    m.AddImplication(self.groups[SESSION], self.x[i, s].Not())
                if s in blocked:
                    m.AddImplication(self.groups[UNAVAILABLE], self.x[i, s].Not())
                if i in p.fixed and s != p.fixed[i]:
                    m.AddImplication(self.groups[FIXED], self.x[i, s].Not())
                if p.tables_at(s) <= 0 and p.at_table(i):
                    m.AddImplication(self.groups[TABLE_CAPACITY], self.x[i, s].Not())

    def slot_expr(self, i: int) -> cp_model.LinearExprT:
        return sum(s * self.x[i, s] for s in self.domains[i])

    def hint(self, slots: Sequence[int]) -> None:
        self.m.ClearHints()
        for (i, s), v in self.x.items():
            self.m.AddHint(v, slots[i] == s)

    def read(self, solver: cp_model.CpSolver) -> list[int]:
        out = [0] * len(self.problem.meetings)
        for (i, s), v in self.x.items():
            if solver.BooleanValue(v):
                out[i] = s
        return out


def _set_domain(var_proto, lo: int, hi: int) -> None:
    """Tighten an integer variable in place (cheaper than rebuilding the model)."""
    var_proto.domain[0] = lo
    var_proto.domain[1] = hi


def _solver(time_limit: float, workers: int, log: bool = False, seed: int = 0) -> cp_model.CpSolver:
    sv = cp_model.CpSolver()
    sv.parameters.max_time_in_seconds = max(0.01, time_limit)
    sv.parameters.num_workers = workers
    sv.parameters.random_seed = seed
    sv.parameters.log_search_progress = log
    return sv


def assign_tables(problem: Problem, slots: Sequence[int], prefer: Sequence[int] | None = None) -> list[int]:
    """Give each meeting a concrete table: 1..k within its slot, keeping ``prefer`` where free;
    an online meeting gets 0 (no table)."""
    tables = [0] * len(slots)
    used: dict[int, set[int]] = {}
    order = [i for i in range(len(slots)) if problem.at_table(i)]
    if prefer is not None:
        for i in order:
            t = prefer[i] if i < len(prefer) else 0
            if t and 1 <= t <= problem.tables_at(slots[i]) and t not in used.setdefault(slots[i], set()):
                tables[i] = t
                used[slots[i]].add(t)
    for i in order:
        if not tables[i]:
            taken = used.setdefault(slots[i], set())
            t = next(t for t in range(1, problem.tables_at(slots[i]) + 1) if t not in taken)
            tables[i] = t
            taken.add(t)
    return tables


def _finish(problem: Problem, res: SolveResult, fairness: int | None, started: float) -> SolveResult:
    """Add tables and breaks, and check the schedule with the validator (never trust, verify)."""
    res.seconds = time.perf_counter() - started
    if res.slots:
        if not res.tables:
            res.tables = assign_tables(problem, res.slots)
        res.breaks = sum(breaks_by_participant(problem, res.slots).values())
        bad = validate(problem, res.slots, res.tables, fairness)
        if bad:  # a bug in the encoding, never the user's fault: say so loudly
            raise AssertionError("solver produced an invalid schedule: " + "; ".join(map(str, bad[:5])))
    return res


def quick_checks(problem: Problem, fairness: int | None) -> list[Violation]:
    """The checks that name an impossible instance before modelling (``precheck``), and, when
    fairness is a cap, fixed meetings that force more breaks than it allows (docs/adr/0050)."""
    problems = precheck(problem)
    if not problems and fairness is not None and _fairness_is_cap(problem):
        problems = fixed_breaks_check(problem, fairness)
    return problems


def solve(
    problem: Problem,
    time_limit: float = 20.0,
    fairness: int | None = DEFAULT_FAIRNESS,
    workers: int = 2,
    hint: Sequence[int] | None = None,
    log: bool = False,
    engine: str = "auto",
) -> SolveResult:
    """Minimise total breaks; returns ``optimal``/``feasible``/``infeasible``/``unknown``.

    ``engine``: ``sat`` (CNF + CaDiCaL portfolio, the fast one; needs the "cap" form of
    fairness, true whenever someone has at most one meeting), ``cpsat`` (any fairness, uses
    ``hint``), or ``auto`` (sat when it applies and no hint is given). An infeasible result
    always names the rule(s), from the quick checks or from relaxing rule groups.
    """
    started = time.perf_counter()
    problems = quick_checks(problem, fairness)
    if problems:
        return _finish(
            problem,
            SolveResult(
                INFEASIBLE, rule=problems[0].rule, message="; ".join(v.message for v in problems[:5])
            ),
            fairness,
            started,
        )
    if not problem.meetings:
        return _finish(problem, SolveResult(OPTIMAL, slots=[], breaks=0, bound=0), fairness, started)
    cap_ok = fairness is None or _fairness_is_cap(problem)
    use_sat = engine == "sat" or (engine == "auto" and cap_ok and hint is None)
    if use_sat and not cap_ok:
        raise ValueError("the sat engine needs a participant with at most one meeting (fairness as a cap)")
    if use_sat:
        res = _solve_sat(problem, time_limit, fairness, workers, started)
    else:
        res = _solve_cpsat(problem, time_limit, fairness, workers, hint, log, started)
    if res.status == INFEASIBLE and not res.rule:
        left = started + time_limit - time.perf_counter()
        res = explain_infeasible(problem, fairness, max(2.0, left), workers)
    return _finish(problem, res, fairness, started)


# Two differently-configured searches, one per core, sharing the best schedule through the
# parent: core-guided MaxSAT (RC2) proves bounds and often jumps straight to the optimum; a
# SAT-UNSAT linear search improves the schedule steadily (the fall-back at the deadline) and
# uses another cardinality encoding for tables — CDCL run times vary a lot with such details.
# With one worker, the linear search alone, asking "0 breaks?" first.
PORTFOLIO = (
    # Without the slot-reversal clause: "0 breaks?" on tic-14crafc took 4.2 CPU s without it
    # and 6.0 s with it; the other process keeps it (diversity). Both count table capacity on
    # meetings and on people, or on people alone (exact for two-person meetings at tables):
    # RC2 proved forum-13crafc in 5.3 CPU s with both and not in 20 with people alone, the
    # linear search reached 4 on tic-13crafc in 3.1 s with people alone and 5.7 with both
    # (docs/adr/0035-scheduling-portfolio.md). RC2 counts tables with the modulo totalizer:
    # forum-13crafc proven in 3.3 CPU s instead of 8.1, its forb0003/forb0007 variants in 16 and
    # 26 instead of not within 40 (docs/adr/0049-scheduling-rc2-tables-and-ladder-budget.md).
    {"strategy": "rc2", "tables": "mtotalizer", "symmetry": False},
    {"strategy": "upper", "tables": "seqcounter", "quick": "minisat22", "lns": True, "people_only": True},
)
SINGLE = {
    "strategy": "upper",
    "tables": "seqcounter",
    "zero_first": True,
    "quick": "minisat22",
    "lns": True,
    "people_only": True,
}


def _sat_child(problem: Problem, cap: int | None, cfg: dict, conn) -> None:
    import os

    from .satenc import sat_search

    try:
        cfg = dict(cfg)
        nice = cfg.pop("nice", 0)
        symmetric = cfg.pop("symmetry", True) and _symmetric(problem)

        def emit(*msg) -> None:
            nonlocal nice
            conn.send(msg)
            if nice and msg[0] == "ub":
                # A schedule is in hand: from now on lower priority inside our own scheduling
                # group, so the prover gets scarce CPU first (never before: no schedule at all
                # is the worst answer).
                os.nice(nice)
                nice = 0

        sat_search(problem, cap, emit, symmetric=symmetric, **cfg)
    except Exception as exc:  # pragma: no cover - reported to the parent, never silent
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


# "0 breaks?" alone first (consecutive-block encoding, ~1 CPU s on every benchmark instance),
# for at most this share of the time limit: alone it gets the CPU the portfolio would split.
# When it has not answered by then (a loaded machine), it keeps running and the upper-bound
# search starts beside it; the prover (RC2) starts when the question is answered, never asking
# it a second time (docs/adr/0038-scheduling-proof-first.md).
ZERO_SHARE = 0.25
# Niceness of the upper-bound search once it has its first schedule (0: none). At 5 the prover
# (RC2) got most of the scarce CPU, but at load ~11 it still could not finish while the
# schedule fell behind plain CP-SAT's (forum-13crafc 69 vs 51, forumt-14crafd 26 vs 14):
# equal shares (docs/adr/0038-scheduling-proof-first.md).
UPPER_NICE = 0
# After "0 breaks?" said no, the same process computes the pattern bound (``patterns``, an LP of
# ~0.1 s where it applies); the parent waits at most this share of the limit for it before
# choosing the third process: "at most lb breaks?" from that bound (``target``), or RC2 when
# there is no bound (docs/adr/0046-scheduling-pattern-bound.md).
PATTERN_SHARE = 0.15
# Without the slot-reversal clause: "at most 4?" on tic-13crafc took 3.4 CPU s without it, 6.0
# with it (CaDiCaL is deterministic: one run each); counting tables on meetings as well, 17.6 s.
TARGET = {
    "strategy": "target",
    "tables": "seqcounter",
    "people_only": True,
    "skip_zero": True,
    "symmetry": False,
}


class _Children:
    """Forked searches that report through pipes; the parent keeps the best schedule and bound."""

    def __init__(self, problem: Problem, fairness: int | None):
        self.problem, self.fairness = problem, fairness
        self.procs: list = []
        self.conns: dict = {}  # connection -> name
        self.done: set[str] = set()
        self.best: list[int] | None = None
        self.best_val: int | None = None
        self.lb = 0
        self.infeasible = False
        self.errors: list[str] = []
        self.pattern: int | None | bool = False  # False: not reported yet

    def start(self, name: str, cfg: dict) -> None:
        ctx = mp.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_sat_child, args=(self.problem, self.fairness, cfg, send), daemon=True, name=name
        )
        proc.start()
        log.debug("start %s", name)
        send.close()
        self.procs.append(proc)
        self.conns[recv] = name

    def has_started(self, name: str) -> bool:
        """Whether that search was started (it may since have ended or been stopped)."""
        return any(proc.name == name for proc in self.procs)

    @property
    def settled(self) -> bool:
        return self.infeasible or (self.best_val is not None and self.lb >= self.best_val)

    def run(self, deadline: float, until=lambda: False) -> None:
        """Read reports until the deadline, the bounds meet, every child ends, or ``until()``."""
        while self.conns and not self.settled and not until():
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            for c in mp_connection.wait(list(self.conns), timeout=left):
                name = self.conns[c]
                try:
                    msg = c.recv()
                except EOFError:
                    del self.conns[c]
                    self.done.add(name)
                    continue
                kind = msg[0]
                log.debug("%s: %s %s", name, kind, msg[1] if len(msg) > 1 else "")
                if kind == "lb":
                    self.lb = max(self.lb, msg[1])
                elif kind == "ub" and (self.best_val is None or msg[1] < self.best_val):
                    self.best_val, self.best = msg[1], msg[2]
                elif kind == "pattern":
                    self.pattern = msg[1]
                elif kind == "infeasible":
                    self.infeasible = True
                elif kind == "error":
                    self.errors.append(msg[1])
                    del self.conns[c]
                    self.done.add(name)
                elif kind == "done":
                    self.done.add(name)
                    if name != "zero":  # a finished search (RC2, linear search) is a proof
                        self.lb = max(self.lb, self.best_val if self.best_val is not None else self.lb)

    def kill(self, name: str) -> None:
        """Stop one search (its reports so far are kept)."""
        log.debug("stop %s", name)
        for c, n in list(self.conns.items()):
            if n == name:
                c.close()
                del self.conns[c]
                self.done.add(name)
        for proc in self.procs:
            if proc.name == name and proc.is_alive():
                proc.kill()
                proc.join()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
        for c in self.conns:
            c.close()


def _solve_sat(
    problem: Problem, time_limit: float, fairness: int | None, workers: int, started: float
) -> SolveResult:
    """Ask "0 breaks?" first, then run the SAT portfolio; stop at the deadline.

    Stages: "0 breaks?" alone for up to :data:`ZERO_SHARE` of the limit; if still open, the
    upper-bound search starts beside it (niced); once it is answered "no", RC2 starts with the
    lower bound 1 known. No question is asked twice, so nothing done under load is thrown away.
    """
    deadline = started + time_limit
    kids = _Children(problem, fairness)
    try:
        if workers < 2:
            kids.start("upper", SINGLE)
            kids.run(deadline)
        else:
            kids.start("zero", {"strategy": "zero", "ladder": True, "pattern": True})
            # answered: "0 breaks?" said yes (done) or no, and then the pattern bound came
            answered = lambda: "zero" in kids.done or kids.pattern is not False  # noqa: E731
            kids.run(min(deadline, started + ZERO_SHARE * time_limit), until=answered)
            rc2, upper = PORTFOLIO[0], PORTFOLIO[1]
            if not answered() and not kids.settled:
                kids.start("upper", {**upper, "skip_zero": True, "nice": UPPER_NICE})
                # The window encoding is struggling with "0 breaks?": RC2's first core asks the
                # same question on the general encoding, which is sometimes far faster
                # (forum-13crafc.forb0003: 1.3 CPU s against 14). Whichever answers first wins.
                kids.start("rc2", {**rc2, "skip_zero": True})
                kids.run(deadline, until=lambda: answered() or kids.lb >= 1)
                if kids.lb >= 1 and not answered() and not may_apply(problem):
                    # RC2 answered first, and no pattern bound can follow: free the core
                    kids.kill("zero")
                else:
                    kids.run(deadline, until=answered)
            if not kids.settled and time.perf_counter() < deadline:
                if not kids.has_started("upper"):
                    kids.start("upper", {**upper, "skip_zero": True, "nice": UPPER_NICE})
                reported = lambda: kids.pattern is not False or "zero" in kids.done  # noqa: E731
                if kids.lb >= 1:  # "0 breaks?" said no: wait (briefly) for the pattern bound
                    kids.run(min(deadline, time.perf_counter() + PATTERN_SHARE * time_limit), until=reported)
                if not kids.pattern and not kids.settled and not kids.has_started("rc2"):
                    # RC2 re-asks "0 breaks?" only if the lone question never answered (it failed)
                    kids.start("rc2", {**rc2, "skip_zero": kids.lb >= 1})
                    kids.run(deadline, until=reported)
                if kids.pattern and not kids.settled and time.perf_counter() < deadline:
                    # A bound from the pattern relaxation: ask "at most that many?" directly,
                    # in place of RC2 (whose cores are what that bound replaces).
                    kids.kill("rc2")
                    kids.start("target", {**TARGET, "start_lb": kids.lb})
                kids.run(deadline)
    finally:
        kids.stop()
    lb, best, best_val = kids.lb, kids.best, kids.best_val
    if kids.infeasible:
        return SolveResult(INFEASIBLE)
    if best is not None:
        return SolveResult(OPTIMAL if lb >= best_val else FEASIBLE, slots=best, bound=min(lb, best_val))
    msg = "time limit reached" if not kids.errors else "search failed: " + "; ".join(kids.errors)
    return SolveResult(UNKNOWN, bound=lb, message=msg)


def _solve_cpsat(
    problem: Problem,
    time_limit: float,
    fairness: int | None,
    workers: int,
    hint: Sequence[int] | None,
    log: bool,
    started: float,
) -> SolveResult:
    """CP-SAT with lower-bound-first search: any fairness form, hints (used by re-planning)."""
    deadline = started + time_limit

    def left() -> float:
        return deadline - time.perf_counter()

    from .satenc import zero_break_schedule

    zero = zero_break_schedule(problem)  # the consecutive-block question: ~1 s either way
    if zero is not None:
        return SolveResult(OPTIMAL, slots=zero, bound=0)
    enc = BlockEncoding(problem, fairness)
    proto_total = enc.m.Proto().variables[enc.total.Index()]
    ub_total = proto_total.domain[len(proto_total.domain) - 1]  # (no negative index on this wrapper)
    best: list[int] | None = None
    best_val: int | None = None
    lb = 1  # no schedule without a break (or none at all: then the searches say infeasible)
    if hint is not None:
        enc.hint(hint)

    # 1) lower-bound-first: is "total <= lb" feasible? (lb = 0 first: most events reach 0.)
    # 2) if the question takes too long, fall back to optimising for a schedule and a bound,
    #    then resume raising the lower bound with what time is left.
    phase_budget = max(1.0, 0.3 * time_limit)
    optimised = False
    st = cp_model.UNKNOWN
    while left() > 0.05:
        if (best_val is not None and lb >= best_val) or lb > ub_total:
            break
        _set_domain(proto_total, lb, lb if best_val is None else min(lb, best_val - 1))
        enc.m.ClearObjective()
        budget = left() if optimised else min(left(), phase_budget)
        sv = _solver(budget, workers, log)
        st = sv.Solve(enc.m)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = enc.read(sv)
            best_val = lb
            break
        if st == cp_model.INFEASIBLE:
            lb += 1
            continue
        if optimised:
            break
        # Feasibility question timed out: optimise instead, to have a schedule and a bound.
        _set_domain(proto_total, lb, ub_total if best_val is None else best_val)
        enc.m.Minimize(enc.total)
        if best is not None:
            enc.hint(best)
        sv = _solver(min(left(), max(phase_budget, left() / 2)), workers, log)
        st = sv.Solve(enc.m)
        optimised = True
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = enc.read(sv)
            best_val = int(round(sv.ObjectiveValue()))
            lb = max(lb, int(sv.BestObjectiveBound() + 0.999))
            enc.hint(best)
            if st == cp_model.OPTIMAL:
                lb = best_val
        elif st == cp_model.INFEASIBLE:
            best_val = None
            break
        enc.m.ClearObjective()

    if best is not None:
        status = OPTIMAL if best_val is not None and lb >= best_val else FEASIBLE
        return SolveResult(status, slots=best, bound=lb)
    if optimised and st == cp_model.INFEASIBLE or (not optimised and lb > ub_total):
        return SolveResult(INFEASIBLE)
    return SolveResult(UNKNOWN, bound=lb, message="time limit reached")


def explain_infeasible(
    problem: Problem, fairness: int | None, time_limit: float = 10.0, workers: int = 2
) -> SolveResult:
    """Name the rule groups that cannot all hold, by solving with them as assumptions.

    CP-SAT returns a set of group literals sufficient for infeasibility; we shrink it by
    dropping one group at a time (a deletion-based minimal core over at most six groups). The
    named groups always hold a proof: a group leaves only when the rest are proven infeasible
    without it. A group whose question ran out of time stays, and is listed in ``undecided`` so
    that the organiser is not told that every rule is at fault when that was never shown.
    """
    started = time.perf_counter()
    enc = BlockEncoding(problem, fairness, relax=True)
    names = list(enc.groups)

    def infeasible_with(active: list[str]) -> bool | None:
        enc.m.ClearAssumptions()
        enc.m.AddAssumptions([enc.groups[g] for g in active])
        enc.m.AddAssumptions([enc.groups[g].Not() for g in names if g not in active])
        remaining = time_limit - (time.perf_counter() - started)
        st = _solver(max(0.2, remaining / 4), 1).Solve(enc.m)
        if st == cp_model.INFEASIBLE:
            return True
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        return None

    if infeasible_with([]) is True:
        return SolveResult(
            INFEASIBLE,
            rule="participant_overlap",
            message="meetings cannot be given distinct slots per participant even with every other rule off",
        )
    core = list(names)
    undecided: list[str] = []
    for g in names:
        trial = [h for h in core if h != g]
        got = infeasible_with(trial)
        if got is True:
            core = trial
        elif got is None:
            undecided.append(g)
    message = "these rules cannot all hold together: " + ", ".join(core)
    if undecided:
        message += " (not decided within the time limit whether these are needed: " + ", ".join(undecided) + ")"
    return SolveResult(
        INFEASIBLE,
        rule=",".join(core),
        message=message,
        seconds=time.perf_counter() - started,
        undecided=",".join(undecided),
    )
