"""``kechuang schedule INSTANCE.dzn``: schedule a B2B instance and write the result as JSON."""

from __future__ import annotations

import argparse
import sys

from .dzn import DznError, load_b2b
from .validator import DEFAULT_FAIRNESS

EXIT_BAD_INPUT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instance", help="B2B MiniZinc data file (.dzn)")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds (default 20)")
    parser.add_argument("--out", required=True, help="output JSON file")
    parser.add_argument(
        "--fairness",
        type=int,
        default=DEFAULT_FAIRNESS,
        help="max difference between participants' break counts (default 2; -1 = no fairness rule)",
    )
    parser.add_argument("--workers", type=int, default=2, help="parallel searches (default 2)")
    parser.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the summary line (zh: 中文)"
    )


def run(args: argparse.Namespace) -> int:
    if args.time_limit <= 0:
        print("error: --time-limit must be positive", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        problem = load_b2b(args.instance)
    except FileNotFoundError:
        print(f"error: instance file not found: {args.instance}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DznError, UnicodeDecodeError) as exc:
        print(f"error: malformed instance: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from ._io import write_json_atomic
    from .solver import solve

    fairness = None if args.fairness < 0 else args.fairness
    res = solve(problem, time_limit=args.time_limit, fairness=fairness, workers=max(1, args.workers))
    try:
        write_json_atomic(args.out, res.to_json())
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(summary(problem.name, res, args.lang))
    return 0


def summary(name: str, res, lang: str = "en") -> str:
    """The one line the command prints: status, breaks, bound, time and, when there is no
    schedule, the rule(s) named (in Chinese with ``lang="zh"``, keyed by rule id)."""
    from .messages import STATUS_MESSAGES, result_message

    if lang == "zh":
        why = result_message(res, "zh")
        extra = f"（{res.rule}：{why}）" if res.rule else (f"（{why}）" if why else "")
        return (
            f"{name}：{STATUS_MESSAGES[res.status]['zh']}，空档 {res.breaks}，下界 {res.bound}，"
            f"用时 {res.seconds:.1f} 秒{extra}"
        )
    extra = f" ({res.rule}: {res.message})" if res.rule else ""
    return f"{name}: {res.status}, breaks={res.breaks}, bound={res.bound}, {res.seconds:.1f}s{extra}"
