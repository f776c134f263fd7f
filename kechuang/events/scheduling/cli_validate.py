"""``kechuang validate INSTANCE.dzn SCHEDULE.json``: check a schedule (the JSON ``kechuang schedule``
writes, or one an organiser edited) against every rule and name each violation.

Exit 0 when the schedule passes every rule, 1 when it breaks some (each printed, in Chinese with
``--lang zh``), 2 on unreadable input."""

from __future__ import annotations

import argparse
import json
import sys

from .dzn import DznError, load_b2b
from .validator import DEFAULT_FAIRNESS

EXIT_VIOLATIONS, EXIT_BAD_INPUT = 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instance", help="B2B MiniZinc data file (.dzn)")
    parser.add_argument("schedule", help='JSON with "slots" (and optionally "tables"), one per meeting')
    parser.add_argument(
        "--fairness",
        type=int,
        default=DEFAULT_FAIRNESS,
        help="max difference between participants' break counts (default 2; -1 = no fairness rule)",
    )
    parser.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the messages (zh: 中文)"
    )


def run(args: argparse.Namespace) -> int:
    from .messages import violation_message
    from .validator import validate

    try:
        problem = load_b2b(args.instance)
        with open(args.schedule, encoding="utf-8") as fh:
            data = json.load(fh)
        slots = [int(s) for s in data["slots"]]
        tables = [int(t) for t in data["tables"]] if data.get("tables") else None
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DznError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        print(f"error: malformed input: {exc!r}", file=sys.stderr)
        return EXIT_BAD_INPUT
    found = validate(problem, slots, tables, None if args.fairness < 0 else args.fairness)
    for v in found:
        print(violation_message(v, args.lang))
    if args.lang == "zh":
        print(f"{problem.name}：" + (f"违反规则 {len(found)} 处" if found else "通过全部规则检查"))
    else:
        print(f"{problem.name}: " + (f"{len(found)} violation(s)" if found else "valid"))
    return EXIT_VIOLATIONS if found else 0
