"""``kechuang rank``: rank candidates for queries from JSONL files, with the platform's engine.

Bad input is reported as ``file:line: what is wrong`` with exit code 2, and nothing is written:
the output goes to a temporary file that is renamed only when every query succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from .profiles import Candidate, Document, Query


class InputError(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--candidates", required=True, type=Path, help="JSONL: {id, name?, text?, keywords?, documents?}"
    )
    parser.add_argument("--queries", required=True, type=Path, help="JSONL: {id, title?, text, keywords?}")
    parser.add_argument("--top", type=int, default=20, help="results per query (0 = all candidates)")
    parser.add_argument("--out", required=True, type=Path, help="output JSONL")
    parser.add_argument("--no-dense", action="store_true", help="lexical (BM25) only; no embedding model")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _read_jsonl(path: Path):
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from exc
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{lineno}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
            if not isinstance(obj, dict):
                raise InputError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            yield lineno, obj


def _id(obj: dict, where: str) -> str:
    if "id" not in obj:
        raise InputError(f"{where}: 'id' is missing")
    v = obj["id"]
    if isinstance(v, bool) or not isinstance(v, str | int) or str(v) == "":
        raise InputError(f"{where}: 'id' must be a non-empty string or integer")
    return str(v)


def _str(obj: dict, key: str, where: str) -> str:
    v = obj.get(key, "")
    if v is None:
        return ""
    if not isinstance(v, str):
        raise InputError(f"{where}: '{key}' must be a string, got {type(v).__name__}")
    return v


def _str_list(obj: dict, key: str, where: str) -> list[str]:
    v = obj.get(key) or []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise InputError(f"{where}: '{key}' must be a list of strings")
    return v


def load_candidates(path: Path) -> list[Candidate]:
    out, seen = [], {}
    for lineno, obj in _read_jsonl(path):
        where = f"{path}:{lineno}"
        cid = _id(obj, where)
        if cid in seen:
            raise InputError(f"{where}: duplicate id {cid!r} (first on line {seen[cid]})")
        seen[cid] = lineno
        docs = []
        text = _str(obj, "text", where)
        if text.strip():
            docs.append(Document("profile", "", text))
        raw_docs = obj.get("documents") or []
        if not isinstance(raw_docs, list):
            raise InputError(f"{where}: 'documents' must be a list of objects")
        for j, d in enumerate(raw_docs):
            if not isinstance(d, dict):
                raise InputError(f"{where}: documents[{j}] must be an object with 'title' and/or 'text'")
            dw = f"{where}: documents[{j}]"
            docs.append(
                Document(_str(d, "kind", dw) or "document", _str(d, "title", dw), _str(d, "text", dw))
            )
        cand = Candidate(
            cid,
            name=_str(obj, "name", where),
            title=_str(obj, "title", where),
            keywords=_str_list(obj, "keywords", where),
            fields=_str_list(obj, "fields", where),
            documents=docs,
        )
        if not (cand.name or cand.title or cand.keywords or cand.fields or docs):
            raise InputError(f"{where}: candidate {cid!r} has no text (name, text, keywords or documents)")
        out.append(cand)
    if not out:
        raise InputError(f"{path}: no candidates")
    return out


def load_queries(path: Path) -> list[tuple[str, Query]]:
    out, seen = [], {}
    for lineno, obj in _read_jsonl(path):
        where = f"{path}:{lineno}"
        qid = _id(obj, where)
        if qid in seen:
            raise InputError(f"{where}: duplicate id {qid!r} (first on line {seen[qid]})")
        seen[qid] = lineno
        q = Query(
            title=_str(obj, "title", where),
            text=_str(obj, "text", where),
            keywords=tuple(_str_list(obj, "keywords", where)),
        )
        if not (q.title.strip() or q.text.strip() or q.keywords):
            raise InputError(f"{where}: query {qid!r} has no 'text', 'title' or 'keywords'")
        out.append((qid, q))
    if not out:
        raise InputError(f"{path}: no queries")
    return out


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .engine import Engine

    if args.top < 0:
        print("kechuang rank: --top must be >= 0", file=sys.stderr)
        return 2
    try:
        candidates = load_candidates(args.candidates)
        queries = load_queries(args.queries)
    except InputError as exc:
        print(f"kechuang rank: {exc}", file=sys.stderr)
        return 2

    engine = Engine(embedder=None if args.no_dense else "default")
    bar = tqdm(total=0, desc="embedding candidates", unit="passage", file=sys.stderr, disable=args.quiet)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    index = engine.build(candidates, on_progress=progress)
    bar.close()
    for w in index.warnings:
        print(f"kechuang rank: warning: {w}", file=sys.stderr)

    out_dir = args.out.resolve().parent
    if not out_dir.is_dir():
        print(f"kechuang rank: output directory {out_dir} does not exist", file=sys.stderr)
        return 2
    fd, tmp = tempfile.mkstemp(prefix=f".{args.out.name}.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            seen_warnings = set(index.warnings)
            for qid, q in tqdm(queries, desc="ranking", unit="query", file=sys.stderr, disable=args.quiet):
                res = index.search(q, top_k=args.top or None)
                for w in res.warnings:
                    if w not in seen_warnings:
                        seen_warnings.add(w)
                        print(f"kechuang rank: warning: {w}", file=sys.stderr)
                line = {
                    "query": qid,
                    "results": [
                        {
                            "id": s.id,
                            "score": round(s.score, 6),
                            "matched_terms": s.matched_terms,
                            "evidence": [e.to_dict() for e in s.evidence],
                        }
                        for s in res.results
                    ],
                }
                fh.write(json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n")
        os.replace(tmp, args.out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return 0
