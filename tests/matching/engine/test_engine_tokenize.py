from kechuang.matching.engine import Tokenizer
from kechuang.matching.engine.tokenize import normalize


def test_chinese_user_words_are_kept_whole_and_also_split():
    plain = Tokenizer()
    assert "石墨烯规模化制备" not in plain.tokenize("石墨烯规模化制备")
    tk = Tokenizer(user_words=["石墨烯", "石墨烯规模化制备"])
    toks = tk.tokenize("石墨烯规模化制备与产业化")
    assert "石墨烯规模化制备" in toks  # the user word, whole
    assert "石墨烯" in toks  # and its parts (search mode), so queries spelling them apart match
    assert "规模化" in toks and "产业化" in toks
    assert "与" not in toks  # stopword


def test_private_dictionary_does_not_leak_between_tokenizers():
    Tokenizer(user_words=["量子点显示"])
    assert "量子点显示" not in Tokenizer().tokenize("量子点显示")


def test_english_lowercase_stopwords_and_light_stemming():
    tk = Tokenizer()
    assert tk.tokenize("The Agents of Intelligent Systems") == ["agent", "intelligent", "system"]


def test_mixed_text_keeps_alnum_codes():
    tk = Tokenizer()
    toks = tk.tokenize("面向5G通信的CO2捕集, MPEG-2 and ＣＯ２ in 2021")
    assert "5g" in toks and "co2" in toks and "通信" in toks and "捕集" in toks
    assert "mpeg" in toks
    assert "2021" not in toks and "2" not in toks  # bare numbers are dropped
    assert toks.count("co2") == 2  # full-width ＣＯ２ normalised


def test_spans_point_at_tokens_in_original_text():
    tk = Tokenizer(user_words=["石墨烯"])
    text = "Ｇraphene 石墨烯导热膜 CO2"
    for tok, s, e in tk.tokenize_with_spans(text):
        assert normalize(text[s:e]).startswith(tok[:2])
    assert len(normalize(text)) == len(text)


def test_generic_words_and_single_characters_are_not_terms():
    from kechuang.matching.engine.tokenize import STOPWORDS

    for w in ("中国", "产品", "技术", "研究", "方法", "系统"):
        assert w in STOPWORDS, w
    tk = Tokenizer()
    assert tk.tokenize("中国产品技术研究方法系统") == []
    toks = tk.tokenize("水的净化系统与煤的气化技术")
    assert all(len(t) > 1 for t in toks)  # 水, 煤, 的 … never count
    assert "净化" in toks and "气化" in toks
    assert "系统" not in toks and "技术" not in toks
    # the taxonomy's terms stay whole even when they contain a generic word
    tk2 = Tokenizer(user_words=["智能制造系统"])
    assert "智能制造系统" in tk2.tokenize("面向智能制造系统的调度")
