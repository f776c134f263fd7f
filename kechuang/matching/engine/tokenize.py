"""Chinese-aware tokenisation: jieba (search mode) for Chinese, a regex for English and codes.

One private ``jieba.Tokenizer`` per engine tokenizer (never the global one, whose dictionary other
code may change); the default dictionary is loaded once per process, quietly, and copied into each
instance, so adding user words for one index never leaks into another.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator

import jieba

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_HAS_ALPHA = re.compile(r"[a-z]")

# Full-width ASCII and the ideographic space map 1:1 onto ASCII, so offsets survive normalisation.
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

STOPWORDS_ZH = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "对",
        "为",
        "是",
        "等",
        "中",
        "上",
        "下",
        "其",
        "之",
        "而",
        "并",
        "且",
        "也",
        "都",
        "就",
        "被",
        "把",
        "从",
        "以",
        "于",
        "由",
        "将",
        "向",
        "到",
        "给",
        "让",
        "这",
        "那",
        "这些",
        "那些",
        "这个",
        "那个",
        "该",
        "此",
        "各",
        "每",
        "本",
        "我",
        "我们",
        "你",
        "他",
        "她",
        "它",
        "他们",
        "其中",
        "一个",
        "一种",
        "一些",
        "有",
        "没有",
        "不",
        "无",
        "很",
        "更",
        "最",
        "已",
        "已经",
        "可",
        "可以",
        "能",
        "能够",
        "会",
        "要",
        "需要",
        "进行",
        "通过",
        "根据",
        "基于",
        "采用",
        "利用",
        "使用",
        "以及",
        "以上",
        "如何",
        "什么",
        "问题",
        "方面",
        "方法",
        "研究",
        "提出",
        "分析",
        "结果",
        "表明",
        "我国",
        "目前",
        "同时",
        "因此",
        "所以",
        "但",
        "但是",
        "如果",
        "由于",
        "对于",
        "关于",
        "具有",
        "作为",
        "主要",
        "相关",
        "一定",
        "不同",
        "较",
        "较好",
        "得到",
        "实现",
        "情况",
        "文章",
        "本文",
        "论文",
        "探讨",
        "探索",
        "阐述",
        "介绍",
        "其他",
        "之间",
        "以下",
        "之后",
        "之前",
        "几",
        "个",
        "啊",
        "吗",
        "呢",
        "吧",
        "着",
        "过",
        "所",
        "还",
        "又",
        "再",
        "则",
        "即",
        "若",
    ]
)
STOPWORDS_EN = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "we",
        "our",
        "they",
        "their",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "how",
        "than",
        "then",
        "there",
        "here",
        "not",
        "no",
        "nor",
        "but",
        "if",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "above",
        "below",
        "between",
        "through",
        "during",
        "while",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "having",
        "such",
        "so",
        "also",
        "very",
        "more",
        "most",
        "other",
        "some",
        "any",
        "each",
        "all",
        "both",
        "either",
        "neither",
        "only",
        "own",
        "same",
        "too",
        "via",
        "using",
        "used",
        "use",
        "based",
        "paper",
        "propose",
        "proposed",
        "approach",
        "method",
        "results",
        "show",
        "shows",
        "shown",
        "study",
        "new",
    ]
)
STOPWORDS = STOPWORDS_ZH | STOPWORDS_EN

_base_lock = threading.Lock()
_base_dict: tuple[dict[str, int], int] | None = None


def _base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default dictionary, loaded once (from jieba's /tmp cache when present), quietly."""
    global _base_dict
    with _base_lock:
        if _base_dict is None:
            logger = logging.getLogger("jieba")
            level = logger.level
            logger.setLevel(logging.WARNING)
            try:
                tk = jieba.Tokenizer()
                tk.initialize()
            finally:
                logger.setLevel(level)
            _base_dict = (tk.FREQ, tk.total)
        return _base_dict


def normalize(text: str) -> str:
    """Full-width → half-width and lowercase, keeping the length so character offsets stay valid."""
    out = text.translate(_FW_TABLE)
    low = out.lower()
    if len(low) == len(out):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in out)


def _stem_en(word: str) -> str:
    """A very light plural stemmer: enough for 'agents' to meet 'agent', never more aggressive."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word[-2].isalpha():
        return word[:-1]
    return word


def _useful_user_word(w: str) -> bool:
    return 2 <= len(w) <= 24 and not any(ch.isspace() for ch in w) and bool(_CJK.search(w))


class Tokenizer:
    """Tokeniser shared by indexing, querying and highlighting, so that spans point at tokens.

    ``user_words``: taxonomy terms, keywords, achievement titles — kept whole by jieba (and, in
    search mode, also split into the dictionary words inside them, so a query that spells the
    parts separately still matches).
    """

    def __init__(self, user_words: Iterable[str] = (), stopwords: frozenset[str] = STOPWORDS):
        freq, total = _base_dictionary()
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ = dict(freq)
        self._jieba.total = total
        self._jieba.initialized = True
        self.stopwords = stopwords
        self.user_words: list[str] = []
        self.add_words(user_words)
        self._memo: dict[str, list[str]] = {}

    def add_words(self, words: Iterable[str]) -> None:
        seen = set(self.user_words)
        for raw in words:
            w = normalize(str(raw).strip())
            if w in seen or not _useful_user_word(w):
                continue
            seen.add(w)
            self.user_words.append(w)
            # High enough to keep the term whole, like jieba.suggest_freq would, but without its cost.
            self._jieba.add_word(w, freq=max(self._jieba.FREQ.get(w, 0) or 0, 1000))
        if hasattr(self, "_memo"):
            self._memo.clear()

    def tokenize_with_spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield (token, start, end) with offsets into ``text``; tokens are normalised."""
        norm = normalize(text)
        for word, start, end in self._jieba.tokenize(norm, mode="search", HMM=True):
            if _CJK.search(word):
                if word not in self.stopwords:
                    yield word, start, end
                continue
            for m in _ASCII_WORD.finditer(word):
                tok = m.group()
                if len(tok) < 2 or not _HAS_ALPHA.search(tok):
                    continue  # single letters and bare numbers (years, quantities) are noise
                tok = _stem_en(tok)
                if tok not in self.stopwords:
                    yield tok, start + m.start(), start + m.end()

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text``; memoised because co-authors share publications."""
        if not text:
            return []
        hit = self._memo.get(text)
        if hit is None:
            hit = [t for t, _, _ in self.tokenize_with_spans(text)]
            if len(self._memo) > 200_000:
                self._memo.clear()
            self._memo[text] = hit
        return hit
