"""Every Chinese string a user can see is marked for translation (English comes from locale/en).

Templates: every text node, attribute value and literal that contains Chinese characters sits
inside ``{% translate %}`` / ``{% blocktranslate %}`` or is a ``_("…")`` literal in a tag or filter.

Python: every string literal (f-strings included) with Chinese characters sits inside a call to
``gettext``/``gettext_lazy``/``_``/``pgettext``/``ngettext``…, except docstrings, the modules in
``DATA_MODULES`` (data, not interface: demo content, the engines' dictionaries, migrations,
operators' command-line output) and the exact literals in ``STORED_TEXT`` (written into the
database, so they must not depend on the language of whoever triggered the write; or placeholders nobody
sees, such as the warm-up PDF's).
Both lists are short and explicit: a new entry needs a reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff]")
TRANSLATE_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy", "ngettext",
                   "ngettext_lazy", "npgettext", "npgettext_lazy"}

# whole modules that are data or operator tooling, not the user interface (paths relative to kechuang/)
DATA_MODULES = [
    "demo/",  # the fictional demo scenario: names, needs, texts
    "*/demo_loader.py",  # each app's part of the demo scenario
    "events/demo_history.py",  # the demo scenario's past meetings (fictional job titles, outcome notes)
    "matching/engine/",  # Chinese stopwords, segmentation dictionaries
    "events/scheduling/",  # the optimiser: no user-facing text
    "*/migrations/",
    "*/management/commands/",  # operators' command-line output (manage.py demo, reindex, digest)
    "cli.py",  # the engine command line
    "core/audit_guard.py",  # the database trigger's error text (SQL, not a page)
    "api/pagination.py",  # OpenAPI parameter descriptions (developer documentation)
]
# literals written into the database (history notes, audit details, device and table names) or used as keys
STORED_TEXT = {
    "accounts/admin.py": {"已修改"},  # audit detail
    "accounts/otp.py": {"身份验证器", "恢复码"},  # device names stored by django-otp
    "api/api.py": {"kechuang 科创对接 API", "参数", "原因"},  # API title and the 422 body's keys (a contract)
    # OpenAPI field descriptions (developer documentation, like api/pagination.py)
    "api/needs.py": {"联系人; empty unless the caller handles the need", "联系电话; empty unless the caller handles the need",
                     "项目名称", "行业领域/产业链代码", "地区代码", "需求背景", "需解决的主要技术难题（至少 20 字）",
                     "期望实现的技术目标", "关键词", "预算下限（万元）", "预算上限（万元）",
                     "需求企业 id（企业用户不填：就是本企业）", "说明（退回时必填）"},
    "api/achievements.py": {"所属学会 id"},
    "api/common.py": {"参数", "原因", "排序字段（加 - 为倒序）："},  # the error body's keys (as in api/api.py)
    "api/followup.py": {"地区代码（含下级）", "签约方所在地区代码"},
    "api/matches.py": {"需求 id", "专家、成果或学会的 id", "不采纳的原因（decline 时必填）"},
    "api/meeting_requests.py": {"活动 id（必填）", "活动 id", "企业代表（参会者 id）", "专家（参会者 id）", "所涉需求 id",
                                "优先级 1–3（仅协调员设置）"},
    "api/meetings.py": {"活动 id（必填）"},
    "core/audit_views.py": {"导出审计记录 ", " 条"},  # audit summary
    "core/models.py": {"系统"},  # AuditEntry.__str__ (admin, logs)
    "events/services/day_of.py": {"在“", "”与", "洽谈："},  # the need's history note
    "events/services/outcomes.py": {"协调员确认“", "”洽谈结果（"},  # the need's history note
    "events/services/set_up.py": {"号桌"},  # table names stored with the event
    "events/models/event.py": {"号桌"},  # the stored default table name, recognised to show it translated
    "experts/services.py": {"(大学|学院|学校)$", "(研究院|研究所|科学院|研究中心|实验室)"},  # patterns over stored names
    # header aliases: other Chinese spellings of a column found in people's own workbooks (matched, never shown);
    # the form labels themselves are marked and recognised in every language (kechuang.intake.spec.spellings)
    "experts/intake.py": {"专家姓名", "单位", "所在单位", "学会", "成果"},
    "intake/spec.py": {r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"},  # dates people type
    # the hidden sheet of drop-down lists: a name the template's formulas point to, never read by people
    "intake/template.py": {"选项", "'选项'!$"},
    "followup/services.py": {"%Y年%m月%d日", "签订协议："},  # a created need's background; history note
    "matching/services.py": {"接受匹配："},  # history note
    "needs/intake.py": {"需求名称", "项目名", "企业名称", "需求单位", "产业链", "行业领域"},  # header aliases
    "needs/services.py": {"提交需求", "跟进负责人：", "未指定"},  # history notes
    # header aliases; the legal-form suffixes stripped before comparing organisation names
    "orgs/intake.py": {"名称", "企业名称", "单位全称", "信用代码", "社会信用代码", "(股份有限公司|有限责任公司|有限公司|股份公司|公司|集团)+$"},
    # the task worker's warm-up PDF: placeholders that make WeasyPrint load the CJK font; nobody sees them
    "dashboard/exports.py": {"青岛市", "科创对接 Kechuang 2026", "科创中国 warm-up", "科创对接", "产业链", "需求", "比例"},
}


def _data_module(rel: str) -> bool:
    for pattern in DATA_MODULES:
        if pattern.startswith("*/"):
            if pattern[2:] in rel or rel.endswith(pattern[1:]) or f"/{pattern[2:]}" in f"/{rel}":
                return True
        elif rel.startswith(pattern):
            return True
    return False


def _python_modules() -> list[str]:
    base = ROOT / "kechuang"
    return sorted(str(p.relative_to(base)) for p in base.rglob("*.py") if not _data_module(str(p.relative_to(base))))


def unmarked_python(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))  # docstring
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in TRANSLATE_CALLS:
                skip.update(id(n) for n in ast.walk(node))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if id(node) not in skip and isinstance(node, ast.Constant) and isinstance(node.value, str)
        and CJK.search(node.value)
    ]


def unmarked_template(source: str) -> list[tuple[int, str]]:
    found, depth = [], 0  # depth: inside {% blocktranslate %} or {% comment %}
    for token in Lexer(source).tokenize():
        text = token.contents
        if token.token_type == TokenType.BLOCK:
            word = text.split()[0] if text.split() else ""
            if word in {"blocktranslate", "blocktrans", "comment"}:
                depth += 1
                continue
            if word in {"endblocktranslate", "endblocktrans", "endcomment"}:
                depth -= 1
                continue
            if word in {"translate", "trans"}:
                continue
        if depth or token.token_type == TokenType.COMMENT:
            continue
        # literals inside _("…") are marked; everything else with Chinese characters is not
        rest = re.sub(r"""_\((["']).*?\1\)""", "", text)
        if CJK.search(rest):
            found.append((token.lineno, text.strip()[:80]))
    return found


def test_the_checks_catch_unmarked_text():
    """The detectors themselves: marked text passes, each kind of unmarked text is caught."""
    assert unmarked_template('{% load i18n %}<h1>{% translate "需求" %}</h1>{{ x|default:_("无") }}') == []
    assert unmarked_template("{% blocktranslate with n=x %}共 {{ n }} 项{% endblocktranslate %}") == []
    assert unmarked_template("{# 注释 #}{% comment %}说明{% endcomment %}") == []
    assert [t for _, t in unmarked_template("<h1>需求</h1>")] == ["<h1>需求</h1>"]
    assert len(unmarked_template('<input placeholder="关键字">{{ x|default:"无" }}{% if a == "是" %}{% endif %}')) == 3
    assert unmarked_python('"""模块说明"""\nfrom x import gettext as _\nA = _("需求")\nB = gettext_lazy(f"共{n}")\n') == []
    assert [v for _, v in unmarked_python('A = "需求"\nB = f"共{n}项"\nC = {"键": 1}\n')] == ["需求", "共", "项", "键"]


TEMPLATES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kechuang" / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES)
def test_template_marks_every_chinese_string(path):
    found = unmarked_template((ROOT / path).read_text(encoding="utf-8"))
    assert not found, f"{path}: Chinese text not marked for translation:\n" + "\n".join(
        f"  line {line}: {text}" for line, text in found
    )


@pytest.mark.parametrize("module", _python_modules())
def test_python_module_marks_every_chinese_string(module):
    found = unmarked_python((ROOT / "kechuang" / module).read_text(encoding="utf-8"))
    allowed = STORED_TEXT.get(module, set())
    found = [(line, value) for line, value in found if value not in allowed]
    assert not found, f"kechuang/{module}: Chinese literals not marked for translation:\n" + "\n".join(
        f"  line {line}: {value[:80]!r}" for line, value in found
    )


def test_allow_lists_name_real_things():
    """An allow-list entry that no longer matches anything is removed, so the lists stay honest."""
    for module, literals in STORED_TEXT.items():
        source = (ROOT / "kechuang" / module).read_text(encoding="utf-8")
        present = {value for _, value in unmarked_python(source)}
        assert literals <= present, f"{module}: stale STORED_TEXT entries {sorted(literals - present)}"
