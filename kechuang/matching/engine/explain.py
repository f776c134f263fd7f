"""Why a candidate was suggested: matched terms and 1–3 evidence sentences with highlight spans.

Spans come from the same tokeniser that indexed the text, so a highlighted span is exactly a
token that matched the query (no substring guesses such as 'ai' inside 'said').
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .profiles import Candidate
from .tokenize import STOPWORDS, Tokenizer, normalize

_TERMINATORS = set("。！？；!?;\n")


@dataclass
class Evidence:
    kind: str  # document kind ("publication", "patent", ...) or "profile" for keywords/title
    title: str
    sentence: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # [start, end) into ``sentence``
    terms: list[str] = field(default_factory=list)
    document_index: int | None = None
    score: float = 0.0

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "sentence": self.sentence,
            "spans": [list(s) for s in self.spans],
            "terms": list(self.terms),
            "document_index": self.document_index,
        }


def displayable(term: str, stopwords: frozenset[str] = STOPWORDS) -> bool:
    """A term worth showing a person as "matched": not a stopword and, if Chinese, at least two
    characters (化, 高, 率 say nothing on their own; English tokens are two letters or more already)."""
    return len(term) >= 2 and term not in stopwords


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets; splits on 。！？；.!?; and newlines, not on decimal points."""
    out = []
    start = 0
    n = len(text)
    for i, ch in enumerate(text):
        end_here = ch in _TERMINATORS or (ch == "." and not (i + 1 < n and text[i + 1].isdigit()))
        if end_here:
            out.append((start, i + 1))
            start = i + 1
    if start < n:
        out.append((start, n))
    trimmed = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s > 1:
            trimmed.append((s, e))
    return trimmed


def order_terms(terms: set[str], weights: Mapping[str, float], limit: int) -> list[str]:
    """Matched terms by weight (query weight × IDF), dropping a term contained in a kept one
    ('石墨' when '石墨烯' matched)."""
    ranked = sorted(terms, key=lambda t: (-weights.get(t, 0.0), -len(t), t))
    kept: list[str] = []
    for t in sorted(ranked, key=lambda t: -len(t)):
        if not any(t in k for k in kept):
            kept.append(t)
    keep = set(kept)
    return [t for t in ranked if t in keep][:limit]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=10_000)
def _sentences(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``normalize(text)`` and ``split_sentences(text)``, memoised: explanations read the same
    documents again (every suggestion of every query; a Python loop over each character)."""
    return normalize(text), tuple(split_sentences(text))


def best_sentence(tokenizer: Tokenizer, texts: Sequence[str], weights: Mapping[str, float]):
    """(score, sentence, spans, terms) of the sentence of ``texts`` with most matched weight.

    Sentences are pre-scored by substring presence (cheap); only the winner is tokenised, so the
    reported terms and spans are exact tokens while a result list costs a few milliseconds.
    Earlier texts win ties (pass the body before the title: it says more).
    """
    best = None
    for text in texts:
        norm, sentences = _sentences(text)
        for s, e in sentences:
            seg = norm[s:e]
            score = sum(w for t, w in weights.items() if t in seg)
            if best is None or score > best[0]:
                best = (score, text[s:e])
    if best is None:
        return None
    sent = best[1]
    spans, terms = [], set()
    for tok, a, b in tokenizer.spans(sent):
        if tok in weights:
            spans.append((a, b))
            terms.add(tok)
    return sum(weights[t] for t in terms), sent, _merge(spans), terms


def explain(
    tokenizer: Tokenizer,
    candidate: Candidate,
    matched: Sequence[str],
    weights: Mapping[str, float],
    doc_sims: Sequence[float] | None,
    max_evidence: int,
) -> list[Evidence]:
    """Pick up to ``max_evidence`` documents (dense similarity + share of matched terms they
    contain), then the best sentence of each. Always at least one item when there is any text."""
    shown = [t for t in matched if displayable(t)]
    # evidence is chosen and highlighted on the terms a person would accept as matches; single
    # characters still count for the score, they just never make a sentence "the evidence"
    mweights = {t: weights.get(t, 0.0) for t in shown}
    total = sum(mweights.values()) or 1.0
    scored = []
    for i, doc in enumerate(candidate.documents):
        hay = normalize(f"{doc.title}\n{doc.text}")
        lex = sum(w for t, w in mweights.items() if t in hay) / total
        dense = float(doc_sims[i]) if doc_sims is not None and i < len(doc_sims) else 0.0
        scored.append((lex + dense, lex, i))
    scored.sort(key=lambda x: (-x[0], x[2]))
    out: list[Evidence] = []
    for rank, (score, lex, i) in enumerate(scored):
        if len(out) >= max_evidence or (rank > 0 and lex <= 0):
            break
        doc = candidate.documents[i]
        found = best_sentence(tokenizer, [doc.text, doc.title], mweights)
        if found is None:
            continue
        sc, sent, spans, terms = found
        out.append(
            Evidence(doc.kind, doc.title, sent, spans, order_terms(terms, mweights, 20), i, round(score, 6))
        )
    if not out:
        profile = "；".join(
            p for p in (candidate.title, "、".join(candidate.keywords), "、".join(candidate.fields)) if p
        )
        found = best_sentence(tokenizer, [profile], mweights) if profile else None
        if found is not None:
            sc, sent, spans, terms = found
            out.append(
                Evidence(
                    "profile",
                    candidate.title or candidate.name,
                    sent,
                    spans,
                    order_terms(terms, mweights, 20),
                    None,
                    round(sc, 6),
                )
            )
    return out
