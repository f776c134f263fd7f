"""The model checks a ModelForm runs for each row, asked once per file instead of once per row.

A ModelForm's ``_post_clean`` runs the model's ``full_clean``: every foreign key asks the database
whether the chosen object exists (one query per key per row) and every ``CheckConstraint`` asks the
database to evaluate its condition (one query per constraint per row). Within one import the
answers depend only on the values asked about, so they are kept per file: the same checks, the
same messages, a query per distinct value instead of per row. Nothing else of the form changes
(its fields, ``clean_*``, ``clean()`` and unique checks run as on the page).
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import CheckConstraint, Model
from django.db.models.expressions import DatabaseDefault


def memoise(form, memo: dict) -> None:
    """Make ``form``'s model validation consult ``memo`` (a dict kept for the whole file)."""
    if not hasattr(form, "_post_clean") or not hasattr(form, "instance"):
        return
    post_clean = form._post_clean

    def _post_clean():
        inst = form.instance
        inst.clean_fields = lambda exclude=None: _clean_fields(inst, memo, exclude)
        inst.validate_constraints = lambda exclude=None: _validate_constraints(inst, memo, exclude)
        try:
            post_clean()
        finally:
            form.instance.__dict__.pop("clean_fields", None)
            form.instance.__dict__.pop("validate_constraints", None)

    form._post_clean = _post_clean


def _asked(memo: dict, key, ask):
    """``ask()``'s answer for ``key``, computed once; a ValidationError is an answer too."""
    try:
        hash(key)
    except TypeError:  # unhashable values (a JSON list): ask every time
        return ask()
    if key not in memo:
        try:
            memo[key] = (True, ask())
        except ValidationError as exc:
            memo[key] = (False, exc)
    ok, answer = memo[key]
    if ok:
        return answer
    raise copy.deepcopy(answer)  # the form rewrites messages in place: never share one error


def _clean_fields(inst: Model, memo: dict, exclude=None) -> None:
    """``Model.clean_fields`` with each foreign key's clean (its existence query) memoised by value."""
    exclude = set(exclude or ())
    fks = [
        f for f in inst._meta.fields
        if isinstance(f, models.ForeignKey) and f.name not in exclude and not f.generated
    ]
    errors: dict = {}
    try:
        Model.clean_fields(inst, exclude=exclude | {f.name for f in fks})
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for f in fks:  # the same steps as Model.clean_fields, one field at a time
        raw = getattr(inst, f.attname)
        if (f.blank and raw in f.empty_values) or isinstance(raw, DatabaseDefault):
            continue
        key = ("fk", f.model._meta.label_lower, f.name, raw)
        try:
            setattr(inst, f.attname, _asked(memo, key, lambda f=f, raw=raw: f.clean(raw, inst)))
        except ValidationError as exc:
            errors[f.name] = exc.error_list
    if errors:
        raise ValidationError(errors)


def _validate_constraints(inst: Model, memo: dict, exclude=None) -> None:
    """``Model.validate_constraints`` with each ``CheckConstraint`` memoised by the values it reads."""
    using = router.db_for_write(inst.__class__, instance=inst)
    errors: dict = {}
    for model_class, constraints in inst.get_constraints():
        for constraint in constraints:
            try:
                if isinstance(constraint, CheckConstraint):
                    _check(inst, memo, model_class, constraint, exclude, using)
                else:
                    constraint.validate(model_class, inst, exclude=exclude, using=using)
            except ValidationError as e:
                if getattr(e, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(e)
                else:
                    errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check(inst, memo, model_class, constraint, exclude, using) -> None:
    refs_key = ("refs", model_class, constraint.name)
    refs = memo.get(refs_key)
    if refs is None:  # the fields the condition reads: the same for every row (walking the Q is not cheap)
        refs = memo[refs_key] = sorted(models.Q(constraint.condition).referenced_base_fields)
    meta = model_class._meta
    try:
        values = tuple(getattr(inst, meta.get_field(name).attname) for name in refs)
    except Exception:  # noqa: BLE001 — anything unusual: ask the database as Django does
        constraint.validate(model_class, inst, exclude=exclude, using=using)
        return
    skipped = frozenset(exclude or ()) & frozenset(refs)
    key = ("check", meta.label_lower, constraint.name, using, skipped, values)
    _asked(memo, key, lambda: constraint.validate(model_class, inst, exclude=exclude, using=using))
