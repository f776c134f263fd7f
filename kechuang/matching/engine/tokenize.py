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
    """一个 一些 一定 一种 上 下 不 不同 与 且 个 中 为 主要 之 之前 之后 之间 也 了 于 什么 介绍 从 他 他们 以 以上 以下 以及 会 但 但是 作为 你 使用
    关于 其 其中 其他 具有 再 几 分析 则 利用 到 即 又 及 可 可以 各 同时 向 吗 吧 呢 和 啊 因此 在 基于 她 如何 如果 它 实现 对 对于 将 就 已 已经
    并 很 得到 情况 我 我们 我国 或 所 所以 把 探索 探讨 提出 文章 方法 方面 无 是 更 最 有 本 本文 根据 此 每 没有 由 由于 的 目前 相关 着 研究 等
    结果 给 而 能 能够 若 表明 被 要 让 论文 该 较 较好 过 还 这 这个 这些 进行 通过 那 那个 那些 都 采用 问题 阐述 需要""".split()  # noqa: SIM905
)
STOPWORDS_EN = frozenset(
    """a about above all also an and any approach are as at based be been being below between
    both but by can could did do does done during each either for from had has have having
    here how if in into is it its may method might more most must neither new no nor not of on
    only onto or other our over own paper propose proposed results same shall should show
    shown shows so some study such than that the their then there these they this those
    through to too under use used using very via was we were what when where which while who
    whom will with would""".split()  # noqa: SIM905
)
# Words that occur in almost every need and profile of a sci-tech platform: matching on them says
# nothing about competence, so they neither score nor show up as "matched terms" (the suggestions
# page filters displayed terms with ``STOPWORDS`` too). Single CJK characters are dropped by the
# tokenizer itself (see ``Tokenizer.tokenize_with_spans``).
STOPWORDS_GENERIC_ZH = frozenset(
    """中国 我国 国内 国外 国际 全国 产品 技术 研究 方法 系统 应用 发展 工作 设计 影响 作用 过程 提高 提升 重要 主要 特点
    基础 领域 条件 因素 水平 建设 开展 有效 实践 分析 研制 开发 企业 行业 产业 需求
    项目 方案 能力 问题 情况 现状 对策 建议 意义 作者 进一步 不断 我们 一般 主要 具体 相应 有关 以及 通过 采用 利用
    其中 一定 显著 明显 较高 较低 高效 新型 传统 现代 当前 目前 近年来 随着 结合 实现 解决 完成 取得 得到 获得 形成 提供
    包括 包含 涉及 存在 具备 达到 满足 要求 支持 促进 推动 加强 改善 优化 分别 共同 相关性 不同 内容
    效果 规模 程度 方式 途径 手段 措施 体系 机制 模式 策略 思路 原则 成果 专家 团队 单位 部门
    公司 学会 中心 平台 科技 科学 创新 合作 对接 方向
    关键 先进 现有 已有 难以 无法 尚未 直接 依赖 导致 不足 缺少 稀少 偏高 偏低 给出 寻求 期望 希望 亟需 急需 迫切
    面临 原因 不明 长期 联合 实施 申请 专利 发明 发明专利 示范 建成""".split()  # noqa: SIM905
)
# (the last two lines: words that were among the most frequent "matched terms" of the demo's top-10
# suggestions although they say how a need is worded or what it should deliver — "现有方法难以…",
# "申请发明专利、建成示范线" — not what an expert knows)
STOPWORDS = STOPWORDS_ZH | STOPWORDS_EN | STOPWORDS_GENERIC_ZH

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
        self._span_memo: dict[str, tuple[tuple[str, int, int], ...]] = {}

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
            self._span_memo.clear()

    def tokenize_with_spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield (token, start, end) with offsets into ``text``; tokens are normalised."""
        norm = normalize(text)
        for word, start, end in self._jieba.tokenize(norm, mode="search", HMM=True):
            if _CJK.search(word):
                # a single character (的, 用, 水 …) matches everywhere and explains nothing
                if len(word) > 1 and word not in self.stopwords:
                    yield word, start, end
                continue
            for m in _ASCII_WORD.finditer(word):
                tok = m.group()
                if len(tok) < 2 or not _HAS_ALPHA.search(tok):
                    continue  # single letters and bare numbers (years, quantities) are noise
                tok = _stem_en(tok)
                if tok not in self.stopwords:
                    yield tok, start + m.start(), start + m.end()

    def spans(self, text: str) -> tuple[tuple[str, int, int], ...]:
        """``tokenize_with_spans`` of ``text``, memoised: explanations tokenise the best sentence
        of each suggestion's documents with jieba (~0.5 ms each, most of an explanation's time),
        and the same sentences come back — publications shared by co-authors, the same experts
        suggested for similar needs (ADR 0052)."""
        hit = self._span_memo.get(text)
        if hit is None:
            hit = tuple(self.tokenize_with_spans(text))
            if len(self._span_memo) > 20_000:
                self._span_memo.clear()
            self._span_memo[text] = hit
        return hit

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
