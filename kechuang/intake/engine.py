"""One import, from file to report: read, check every row, apply, and keep it only when asked.

The preview is not a guess. Every row goes through the form and then through the app's own
service inside one transaction, which is rolled back unless this is the commit and no row is
wrong: what the preview says will be created is what the commit creates, and a file with any
wrong row (or a crash, or a killed process) leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import hashlib
import logging
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from kechuang.core.audit import record
from kechuang.core.errors import ApplicationError
from kechuang.core.extensions import app_modules
from kechuang.intake.checks import memoise as memoise_model_checks
from kechuang.intake.spec import Column, ImportKind, date_text, norm, spellings
from kechuang.intake.workbook import DEFAULT_LIMITS, Limits, WorkbookRefused, as_text, open_sheet
from kechuang.matching.signals import deferred as deferred_index_marks

log = logging.getLogger(__name__)

MAX_LISTED_CHOICES = 8
STAGE_BATCH = 1000  # staged creates written per batch (bulk path)
# the young generation's threshold while an import runs (Python's default: 700); see ``_collector_tuned``
IMPORT_GC_GEN0 = 50_000


def bulk_default() -> bool:
    """The bulk path (ADR 0037) unless ``KECHUANG_IMPORT_BULK`` is False (kept for comparison)."""
    return bool(getattr(settings, "KECHUANG_IMPORT_BULK", True))


def kinds() -> dict[str, ImportKind]:
    """Every import kind the installed apps offer (``<app>/intake.py``'s ``IMPORTS``)."""
    found: dict[str, ImportKind] = {}
    for module in app_modules("intake"):
        found.update(getattr(module, "IMPORTS", {}))
    return found


def kind_for(name: str) -> ImportKind:
    try:
        return kinds()[name]
    except KeyError:
        raise ApplicationError(gettext("不支持的导入类型：%(name)s（可选：%(kinds)s）。") % {"name": name, "kinds": '、'.join(kinds())}) from None


@dataclass
class RowError:
    row: int
    column: str
    letter: str
    value: str
    message: str
    sheet: str = ""  # set for the extra sheets of a kind (专家's 论文, 专利)

    def line(self) -> str:
        where = (gettext("“%(sheet)s”表") % {"sheet": self.sheet} if self.sheet else "") + (gettext("第%(row)s行") % {"row": self.row})
        if self.column:
            where += gettext(" %(letter)s列“%(column)s”") % {"letter": self.letter, "column": self.column}
        shown = gettext("（填写的是：%(value)s）") % {"value": self.value[:40]} if self.value else ""
        return f"{where}：{self.message}{shown}"


@dataclass
class RowResult:
    row: int
    action: str  # create / update / skip
    label: str
    reason: str = ""
    duplicates: list[str] = field(default_factory=list)
    sheet: str = ""


@dataclass
class Report:
    kind: str
    committed: bool = False
    refused: str = ""  # the whole file was refused (WorkbookRefused, access)
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    results: list[RowResult] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    # kinds with large files (``ImportKind.listed_results``): the first ``listed`` results are kept
    # in full, later ones only when they flag near duplicates; the others are counted by action
    listed: int | None = None
    unlisted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.results if r.action == action) + self.unlisted.get(action, 0)

    def compact(self) -> None:
        """Count (instead of keeping) the final results past ``listed`` that flag nothing; the
        memory a report holds then stays flat as the file grows (errors are always kept)."""
        if self.listed is None or len(self.results) <= self.listed:
            return
        kept = self.results[: self.listed]
        for r in self.results[self.listed :]:
            if r.duplicates:
                kept.append(r)
            else:
                self.unlisted[r.action] = self.unlisted.get(r.action, 0) + 1
        self.results[:] = kept

    @property
    def duplicates(self) -> list[RowResult]:
        return [r for r in self.results if r.duplicates]

    def summary(self) -> str:
        if self.refused:
            return self.refused
        if self.errors:
            bad = len({e.row for e in self.errors})
            head = ngettext(
                "共 %(rows)s 行：%(bad)s 行有错误（%(errors)s 处），%(good)s 行无误；整个文件未导入，请修改后重新上传",
                "共 %(rows)s 行：%(bad)s 行有错误（%(errors)s 处），%(good)s 行无误；整个文件未导入，请修改后重新上传",
                self.rows,
            ) % {"rows": self.rows, "bad": bad, "errors": len(self.errors), "good": self.rows - bad}
        else:
            counts = {"rows": self.rows, "create": self.count("create"), "update": self.count("update"),
                      "skip": self.count("skip")}
            if self.committed:
                head = ngettext("共 %(rows)s 行：已新建 %(create)s 条，已更新 %(update)s 条，跳过 %(skip)s 条", "共 %(rows)s 行：已新建 %(create)s 条，已更新 %(update)s 条，跳过 %(skip)s 条", self.rows) % counts
            else:
                head = ngettext("共 %(rows)s 行：将新建 %(create)s 条，将更新 %(update)s 条，跳过 %(skip)s 条", "共 %(rows)s 行：将新建 %(create)s 条，将更新 %(update)s 条，跳过 %(skip)s 条", self.rows) % counts
        if self.duplicates:
            head += ngettext("；%(n)s 行疑似重复，请人工核对", "；%(n)s 行疑似重复，请人工核对", len(self.duplicates)) % {"n": len(self.duplicates)}
        return head + pgettext("end of a sentence", "。")

    def lines(self) -> list[str]:
        """The report as the command line prints it: one line per wrong cell, then the summary."""
        if self.refused:
            return [self.refused]
        out = [e.line() for e in self.errors]
        for r in self.duplicates:
            out.append(
                gettext("%(sheet)s第%(row)s行 疑似重复：%(duplicates)s") % {"sheet": gettext("“%(sheet)s”表") % {"sheet": r.sheet} if r.sheet else "", "row": r.row, "duplicates": pgettext("between items", "；").join(r.duplicates)}
            )
        out.append(self.summary())
        return out

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok, "summary": self.summary()}


class _DryRun(Exception):
    """Raised to roll the import's transaction back after a preview or a failed check."""


def _cell_to_form(col: Column, cell) -> tuple[object, str | None]:
    """A cell's value as the form expects it, or an error message for the cell."""
    if cell is None or cell.value is None:
        return ("" if not col.multiple else []), None
    if cell.formula:
        return None, gettext("不接受公式，请把单元格内容改为数值或文字（复制后“选择性粘贴→数值”）。")
    text = as_text(cell.value)
    if col.lookup:
        parts = _split(text) if col.multiple else [text]
        values = []
        for p in parts:
            v = col.lookup.get(norm(p))
            if v is None:
                shown = "、".join(label for label, _ in (col.choices or [])[:MAX_LISTED_CHOICES])
                more = gettext(" 等") if len(col.choices or []) > MAX_LISTED_CHOICES else ""
                hint = gettext("可选：%(shown)s%(more)s") % {"shown": shown, "more": more} if shown else gettext("没有可选的值（您的权限范围内没有此类记录）")
                return None, gettext("“%(p)s”不是有效的“%(header)s”。%(hint)s。") % {"p": p, "header": col.header, "hint": hint}
            values.append(v)
        return (values if col.multiple else values[0]), None
    if col.is_date:
        text = date_text(text)
    return text, None


def _split(text: str) -> list[str]:
    import re

    return [p for p in re.split(r"[、,，;；\n]+", text) if p.strip()]


def run_import(
    user,
    kind: str,
    path: str | Path,
    *,
    commit: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress=None,
    filename: str = "",
    bulk: bool | None = None,
) -> Report:
    """Check (and with ``commit`` write) every row of the workbook at ``path`` as ``user``.

    ``progress(done_rows)`` is called every 100 rows (the page's bar, the CLI's bar).
    ``bulk`` (default ``bulk_default()``): the model checks are asked once per file and kinds that
    stage their creates write them in batches (ADR 0037); False runs every row through the form and
    the service one at a time, as before (the reference the tests compare with).
    """
    bulk = bulk_default() if bulk is None else bulk
    spec = kind_for(kind)
    report = Report(kind=kind, listed=spec.listed_results)
    if not spec.allowed(user):
        report.refused = gettext("您的角色不能导入%(label)s。") % {"label": spec.label}
        return report
    try:
        first = _open_part(spec, user, path, limits, strict=False)
    except WorkbookRefused as exc:
        report.refused = str(exc)
        return report
    report.unknown_columns = first[1].unknown
    try:
        with _collector_tuned(), transaction.atomic(), deferred_index_marks(), spec.bulk():
            context = spec.context(user)
            context["_bulk"] = bulk
            _read_part(spec, user, first, context, report, progress, label="")
            for child in spec.children:
                opened = _open_part(child, user, path, limits, strict=True)
                if opened is not None:  # a kind's extra sheets are optional
                    _read_part(child, user, opened, context, report, progress, label=str(child.sheet))
            if progress:
                progress(report.rows)
            if not commit or report.errors:
                raise _DryRun
            record(
                user,
                "intake.commit",
                None,
                object_type=_stored(spec.sheet),
                object_repr=filename or Path(path).name,
                changes={
                    "kind": kind,
                    "file": filename or Path(path).name,
                    "rows": report.rows,
                    "created": report.count("create"),
                    "updated": report.count("update"),
                    "skipped": report.count("skip"),
                },
            )
            report.committed = True
    except _DryRun:
        pass
    except WorkbookRefused as exc:  # raised mid-stream (too many rows, broken part)
        report.refused = str(exc)
        report.committed = False
    return report


_collector_lock = threading.Lock()
_collector_users = 0  # imports of this process inside ``_collector_tuned`` now
_collector_saved: tuple = ()  # (thresholds, whether the process had frozen objects) before the first


@contextlib.contextmanager
def _collector_tuned():
    """Python's cyclic garbage collector, tuned for the length of one import (ADR 0044).

    An import allocates millions of short-lived objects (forms, cleaned values, model instances)
    that are freed by reference counting, and keeps tens of thousands alive to the end (the staged
    and written rows, the report): with the default thresholds the collector runs a young
    collection every 700 allocations and keeps walking everything the process already held. For
    the import, what exists before it is frozen (moved out of the collector's way) and the young
    generation collects every ``IMPORT_GC_GEN0`` allocations; both are restored when the last
    import of the process ends, however it ends (two imports in one process — two threads of a web
    process — overlap without one restoring the settings under the other), and objects the process
    froze itself stay frozen. Nothing is disabled: cycles are still found, later. Process-wide
    while it lasts (other threads of the process see the same thresholds for those seconds).
    """
    global _collector_users, _collector_saved
    with _collector_lock:
        if _collector_users == 0:
            threshold = gc.get_threshold()
            _collector_saved = (threshold, gc.get_freeze_count() > 0)
            gc.freeze()
            gc.set_threshold(max(IMPORT_GC_GEN0, threshold[0]), *threshold[1:])
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                threshold, frozen_before = _collector_saved
                gc.set_threshold(*threshold)
                if not frozen_before:
                    gc.unfreeze()


def _stored(text) -> str:
    """Text written into the audit trail: in the site's language, not the uploader's."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _open_part(part, user, path, limits, *, strict):
    columns = part.columns(user)
    by_header = {c.header: c for c in columns}
    headers = {c.header: c.aliases for c in columns}
    required = {c.header for c in columns if c.required}
    opened = open_sheet(path, headers, required=required, sheet_name=spellings(part.sheet), limits=limits, strict=strict)
    return None if opened is None else (by_header, *opened)


def _read_part(part, user, opened, context, report, progress, *, label) -> None:
    by_header, sheet, rows = opened
    seen: dict[bytes | tuple, int] = {}
    staged: list = []
    context["_staged"] = staged
    for rownum, cells in rows:
        report.rows += 1
        _one_row(part, user, rownum, cells, by_header, sheet, context, seen, report, label)
        if len(staged) >= STAGE_BATCH:
            _write_staged(part, user, context, report)
        if not staged and report.rows % STAGE_BATCH == 0:
            report.compact()  # every result so far is final (no staged row waits for its write)
        if progress and report.rows % 100 == 0:
            progress(report.rows)
    _write_staged(part, user, context, report)
    report.compact()
    if context.get("_bulk"):
        for r in report.results:  # near matches named after the staged rows were written (labels)
            if r.duplicates and not all(isinstance(d, str) for d in r.duplicates):
                r.duplicates = [str(d) for d in r.duplicates]


def _write_staged(part, user, context, report) -> None:
    """Write the staged creates of the bulk path (``ImportKind.write_staged``) and label their rows.

    Then collect the young generations once (ADR 0044 amendment, issue 10): a staged row's form
    is a reference cycle (its bound fields, its memoised checks) that lived through the batch, so
    the collector's young collections found it alive and moved it on; once written it is garbage
    that only a later, rarer collection would free — with the import's thresholds, not before the
    end of a 10,000-row file, so the garbage (kilobytes per row) grew with the file."""
    if context.get("_staged"):
        _write_batch(part, user, context, report)
        gc.collect(1)


def _write_batch(part, user, context, report) -> None:
    staged = context["_staged"]
    batch = list(staged)
    staged.clear()
    refusals = part.write_staged(user, [item.outcome for item in batch], context)
    refused = set()
    for item, exc in zip(batch, refusals, strict=True):
        if exc is None:  # what writing decided (a staged 论文 row may turn out a skip)
            item.result.action, item.result.label, item.result.reason = (
                item.outcome.action, item.outcome.label, item.outcome.reason
            )
            continue
        refused.add(id(item.result))
        errors = _service_errors(item.rownum, exc, item.form, item.by_header, item.sheet, item.cells)
        for e in errors:
            e.sheet = item.result.sheet
        report.errors.extend(errors)
    if refused:
        report.results[:] = [r for r in report.results if id(r) not in refused]
        report.errors.sort(key=lambda e: (e.sheet != "", e.row))


@dataclass
class _Staged:
    rownum: int
    form: object
    outcome: object
    result: RowResult
    by_header: dict
    sheet: object
    cells: dict


def _one_row(spec, user, rownum, cells, by_header, sheet, context, seen, report, label="") -> None:
    errors_before, results_before = len(report.errors), len(report.results)
    _check_row(spec, user, rownum, cells, by_header, sheet, context, seen, report)
    for item in report.errors[errors_before:] + report.results[results_before:]:
        item.sheet = label


def _check_row(spec, user, rownum, cells, by_header, sheet, context, seen, report) -> None:
    data, errors = {}, []
    for header, col in by_header.items():
        value, err = _cell_to_form(col, cells.get(header))
        if err:
            errors.append(
                RowError(rownum, header, sheet.letters.get(header, ""), as_text(cells[header].value), err)
            )
        else:
            data[col.name] = value
    form = _form_for(spec, user, data, context)
    _resolve_once(form, context)
    if context.get("_bulk"):
        memoise_model_checks(form, context.setdefault("_model_checks", {}))
    if errors or not form.is_valid():
        # every wrong cell of the row at once: a cell that could not be read is reported once,
        # not again as "required" by the form
        bad = {e.column for e in errors}
        errors += [e for e in _form_errors(rownum, form, by_header, sheet, cells) if e.column not in bad]
        report.errors.extend(sorted(errors, key=lambda e: (len(e.letter), e.letter)))
        return
    key = _digest(spec.key(form.cleaned_data))
    if key in seen:
        report.errors.append(RowError(rownum, "", "", "", gettext("与第%(key)s行重复（%(key_help)s相同）。") % {"key": seen[key], "key_help": spec.key_help}))
        return
    seen[key] = rownum
    duplicates = spec.likely_duplicates(user, form.cleaned_data, context)
    try:
        # no savepoint per row: a refused row makes the whole file roll back anyway
        if context.get("_bulk"):
            outcome = spec.stage(user, form, context)
        else:
            outcome = spec.apply(user, form, context)
    except ApplicationError as exc:
        report.errors.extend(_service_errors(rownum, exc, form, by_header, sheet, cells))
        return
    result = RowResult(rownum, outcome.action, outcome.label, outcome.reason, duplicates)
    report.results.append(result)
    if outcome.staged:
        context["_staged"].append(_Staged(rownum, form, outcome, result, by_header, sheet, cells))


def _digest(key: tuple) -> bytes | tuple:
    """A row's natural key as kept for the file's "same key twice" check: 16 bytes instead of the
    key's strings (a 250,000-row sheet), and two different keys never share one in practice."""
    if not all(k is None or type(k) in (str, int) for k in key):  # repr() would not tell them apart
        return key
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def _form_for(spec, user, data, context):
    """The row's bound form: a new one, or (bulk path, ``spec.reuse_form``) a copy of one form built
    once per file whose fields — the same objects, querysets and messages — serve every row."""
    if not (context.get("_bulk") and spec.reuse_form):
        return spec.form(user, data)
    protos = context.setdefault("_forms", {})
    proto = protos.get(id(spec))
    if proto is None:
        proto = protos[id(spec)] = spec.form(user, {})
    form = copy.copy(proto)  # what BaseForm.__init__ sets per instance, set again for this row:
    form.data = spec.row_data(data)
    form._errors = None
    form._bound_fields_cache = {}
    if isinstance(form, forms.BaseModelForm):
        form.instance = form._meta.model()
    return form


def _resolve_once(form, context) -> None:
    """Each related object (企业, 产业链, 地区) is fetched once per file, not once per row.

    A form's ModelChoiceField looks its value up with one query per clean; here each single-choice
    field of the row's form resolves through the objects of its own queryset, evaluated the first
    time the file needs it — same objects, same scope, same "invalid choice" message.
    """
    cache = context.setdefault("_choices", {})
    for name, fld in form.fields.items():
        if type(fld) not in (forms.ModelChoiceField, forms.ModelMultipleChoiceField) or getattr(
            fld, "_resolved_once", False
        ):
            continue
        if name not in cache:
            key = fld.to_field_name or "pk"
            cache[name] = {str(getattr(o, key)): o for o in fld.queryset}
        objs = cache[name]
        if type(fld) is forms.ModelMultipleChoiceField:  # (专家's 所属学会)
            _resolve_many_once(fld, objs)
            continue

        def to_python(value, fld=fld, objs=objs):
            if value in fld.empty_values:
                return None
            try:
                return objs[str(value)]
            except KeyError:
                raise forms.ValidationError(
                    fld.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                ) from None

        fld.to_python = to_python
        fld._resolved_once = True  # a reused form's fields (bulk path) are resolved once per file


def _resolve_many_once(fld, objs) -> None:
    """A ModelMultipleChoiceField's ``_check_values`` (one query per clean) answered from ``objs``
    (its queryset's objects, in its order): the chosen objects as a list in that order, as the
    queryset it returns would list them. Anything not plainly among them is asked as before (the
    same errors)."""
    ask = fld._check_values

    def check_values(value, ask=ask):
        try:
            wanted = {str(v) for v in value}
        except TypeError:
            return ask(value)
        if not wanted <= objs.keys():
            return ask(value)
        return [o for k, o in objs.items() if k in wanted]

    fld._check_values = check_values
    fld._resolved_once = True


def _header_of(form, name, by_header) -> str:
    for header, col in by_header.items():
        if col.name == name:
            return header
    return ""


def _form_errors(rownum, form, by_header, sheet, cells) -> list[RowError]:
    out = []
    for name, messages in form.errors.items():
        header = _header_of(form, name, by_header) if name != "__all__" else ""
        value = as_text(cells[header].value) if header and cells.get(header) else ""
        for m in messages:
            out.append(RowError(rownum, header, sheet.letters.get(header, ""), value, str(m)))
    return out


def _service_errors(rownum, exc, form, by_header, sheet, cells) -> list[RowError]:
    fe = getattr(exc, "field_errors", None) or {}
    if not fe:
        return [RowError(rownum, "", "", "", str(exc.message if hasattr(exc, "message") else exc))]
    return _form_errors(rownum, type("F", (), {"errors": fe})(), by_header, sheet, cells)
