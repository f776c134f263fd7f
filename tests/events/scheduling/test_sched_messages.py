"""Every rule the engine can name has a Chinese and an English message (keyed by rule id), and the
CLI speaks Chinese with ``--lang zh``; the English messages are kept as they were."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kechuang.cli import main
from kechuang.events.scheduling import messages, precheck, solver, validator

DZN = """nBusiness = 3; nMeetings = 2; nTables = 1; nTotalSlots = 3; nMorningSlots = 3;
requested = [| 1, 2, 3 | 1, 3, 3 |];
forbidden = [{0}, {0}, {0}];
fixed = [0, 0];
precedences = [{}, {}];
"""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _named_rules() -> set[str]:
    """Every rule id the engine's sources can put into a Violation or a result."""
    names = set(validator.RULES)
    names |= set(solver.RELAXABLE)
    for mod in (precheck, solver, validator):
        for value in vars(mod).values():
            if isinstance(value, str) and value in messages.RULE_MESSAGES:
                names.add(value)
    return names


def test_every_rule_has_both_languages():
    for rule in _named_rules():
        assert rule in messages.RULE_MESSAGES, rule
        zh, en = messages.RULE_MESSAGES[rule]["zh"], messages.RULE_MESSAGES[rule]["en"]
        assert CJK.search(zh) and not CJK.search(en), rule


def test_combined_rules_and_violations_read_in_chinese():
    assert (
        messages.rule_message("table_capacity,session") == "同一场次的洽谈数超过可用桌数；上午/下午场要求不符"
    )
    v = validator.Violation(
        "unavailable",
        "meeting 3 (1 & 2) is in slot 4, where participant 2 is unavailable",
        meeting=2,
        participant=2,
        slot=4,
    )
    assert (
        messages.violation_message(v, "zh")
        == "[unavailable] 安排在参会者不能参加的场次（洽谈序号 3，参会者 2，第 4 场）"
    )
    assert messages.violation_message(v, "en") == f"[unavailable] {v.message}"  # English kept


def test_cli_schedule_summary_in_chinese(tmp_path, capsys):
    inst, out = tmp_path / "i.dzn", tmp_path / "o.json"
    inst.write_text(DZN.replace("nTotalSlots = 3; nMorningSlots = 3", "nTotalSlots = 1; nMorningSlots = 1"))
    assert main(["schedule", str(inst), "--time-limit", "5", "--out", str(out), "--lang", "zh"]) == 0
    line = capsys.readouterr().out
    assert "无可行方案" in line and "同一参会者在同一场次有两场洽谈" in line and "participant_overlap" in line
    assert main(["schedule", str(inst), "--time-limit", "5", "--out", str(out)]) == 0
    assert "infeasible" in capsys.readouterr().out  # English stays the default


def test_cli_validate_names_each_violation(tmp_path, capsys):
    inst, sched = tmp_path / "i.dzn", tmp_path / "s.json"
    inst.write_text(DZN)
    sched.write_text(json.dumps({"slots": [2, 2], "tables": [1, 1]}))  # participant 1 twice in slot 2
    assert main(["validate", str(inst), str(sched), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "[participant_overlap] 同一参会者在同一场次有两场洽谈" in out and "违反规则" in out
    assert main(["validate", str(inst), str(sched)]) == 1
    assert "participant 1 has 2 meetings in slot 2" in capsys.readouterr().out
    sched.write_text(json.dumps({"slots": [1, 2]}))
    assert main(["validate", str(inst), str(sched), "--lang", "zh"]) == 0
    assert "通过全部规则检查" in capsys.readouterr().out
    assert main(["validate", str(inst), str(Path(tmp_path / "nope.json"))]) == 2
