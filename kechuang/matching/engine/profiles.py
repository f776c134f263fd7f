"""Plain data the engine ranks: candidates (experts, achievements, societies) and queries (needs).

The Django side builds these from its models; the engine never sees a model instance, so it can be
tested and benchmarked without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# Query fields in the order they go into the dense text: e5 truncates at 512 tokens, so the
# fields that say what the enterprise actually needs come first and the background last.
QUERY_FIELDS: tuple[str, ...] = ("title", "problem", "goal", "keywords", "chain", "text", "background")

# Candidate fields that get their own BM25 index.
CANDIDATE_FIELDS: tuple[str, ...] = ("name", "title", "keywords", "fields", "documents")


@dataclass(frozen=True)
class Document:
    """One piece of evidence of a candidate's competence: a publication, patent or achievement."""

    kind: str = "document"
    title: str = ""
    text: str = ""


@dataclass
class Candidate:
    """An expert, an achievement or a society as the engine sees it.

    ``title`` is what the candidate is called professionally (an achievement's name, an expert's
    research direction); ``fields`` are disciplines from the taxonomy.
    """

    id: str
    name: str = ""
    kind: str = "expert"
    title: str = ""
    keywords: Sequence[str] = ()
    fields: Sequence[str] = ()
    documents: Sequence[Document] = ()

    def field_texts(self) -> dict[str, str]:
        """Text of each lexical field; documents are concatenated (profile-centric BM25)."""
        return {
            "name": self.name or "",
            "title": self.title or "",
            "keywords": " ; ".join(self.keywords),
            "fields": " ; ".join(self.fields),
            "documents": "\n".join(f"{d.title}\n{d.text}" for d in self.documents),
        }


@dataclass
class Query:
    """A technology need. ``problem`` (技术难题) and ``goal`` (技术目标) weigh most (see FusionConfig).

    ``text`` is free text for callers that have no structure (CLI, a search box).
    """

    title: str = ""
    problem: str = ""
    goal: str = ""
    background: str = ""
    keywords: Sequence[str] = field(default_factory=tuple)
    chain: str = ""
    text: str = ""

    def field_texts(self) -> dict[str, str]:
        return {
            "title": self.title or "",
            "problem": self.problem or "",
            "goal": self.goal or "",
            "background": self.background or "",
            "keywords": " ; ".join(self.keywords),
            "chain": self.chain or "",
            "text": self.text or "",
        }


def build_query_text(query: Query | None = None, /, **fields: object) -> str:
    """The single text embedded for a need: its fields in ``QUERY_FIELDS`` order, empty ones skipped.

    Accepts a ``Query`` or the fields as keywords (``build_query_text(problem=..., goal=...)``).
    """
    if query is None:
        kw = fields.pop("keywords", ()) or ()
        query = Query(keywords=tuple(kw), **{k: str(v or "") for k, v in fields.items()})  # type: ignore[arg-type]
    texts = query.field_texts()
    parts = [texts[name].strip() for name in QUERY_FIELDS if texts[name].strip()]
    return "。".join(p.rstrip("。.;；") for p in parts)


def candidate_summary_text(c: Candidate) -> str:
    """Short profile text embedded next to the documents (title, keywords, disciplines).

    A person's name tells e5 nothing about competence, so it is only included for achievements and
    societies, whose names describe what they are.
    """
    parts = []
    if c.kind != "expert" and c.name:
        parts.append(c.name)
    if c.title:
        parts.append(c.title)
    if c.keywords:
        parts.append("、".join(c.keywords))
    if c.fields:
        parts.append("、".join(c.fields))
    return "；".join(p.strip() for p in parts if p.strip())


def document_passage_text(d: Document, max_chars: int = 1200) -> str:
    """Text embedded for one document; the model truncates at 512 tokens anyway, so cut early."""
    text = f"{d.title}。{d.text}" if d.title and d.text else (d.title or d.text)
    return text.strip()[:max_chars]
