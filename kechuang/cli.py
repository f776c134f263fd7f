"""The ``kechuang`` console script: engine commands that need no database.

Each sub-command lives next to its engine and registers itself here, so a newcomer finds
``kechuang rank`` in ``kechuang/matching/engine/cli.py`` and ``kechuang schedule`` /
``kechuang select`` in ``kechuang/events/scheduling/cli.py``. Imports are lazy: ranking never
loads OR-Tools and scheduling never loads the embedding model.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> module that defines ``add_arguments(parser)`` and ``run(args) -> int``
COMMANDS: dict[str, tuple[str, str]] = {
    "rank": ("kechuang.matching.engine.cli", "rank experts/achievements for queries from JSONL files"),
    "schedule": ("kechuang.events.scheduling.cli_schedule", "schedule a B2B meeting instance (.dzn)"),
    "select": ("kechuang.events.scheduling.cli_select", "choose pairs under capacities (.npz)"),
    "validate": (
        "kechuang.events.scheduling.cli_validate",
        "check a schedule against every rule (.dzn + .json)",
    ),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="kechuang", description="科创对接 engine commands (no database)")
    sub = parser.add_subparsers(dest="command", required=True)
    # Only the chosen command's module is imported, so one broken engine cannot break the others.
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name == chosen:
            importlib.import_module(module).add_arguments(p)
    args = parser.parse_args(argv)
    return int(importlib.import_module(COMMANDS[args.command][0]).run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
