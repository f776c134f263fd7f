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
    extra = f" ({res.rule}: {res.message})" if res.rule else ""
    print(f"{problem.name}: {res.status}, breaks={res.breaks}, bound={res.bound}, {res.seconds:.1f}s{extra}")
    return 0
