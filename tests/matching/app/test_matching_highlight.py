"""Evidence highlighting marks the matched spans and escapes everything else (no XSS from a title)."""

from kechuang.matching.templatetags.matching_tags import highlight


def test_spans_are_marked_and_the_rest_escaped():
    sentence = "<script>alert(1)</script>石墨烯导热膜"
    start = sentence.index("石墨烯")
    html = str(highlight({"sentence": sentence, "spans": [[start, start + 3], [999, 1000]]}))
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>石墨烯</mark>导热膜"


def test_a_span_inside_markup_is_escaped_inside_the_mark():
    html = str(highlight({"sentence": "a<b>c", "spans": [[1, 4]]}))
    assert html == "a<mark>&lt;b&gt;</mark>c"
