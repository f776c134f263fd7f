import json

import pytest

from kechuang.cli import main
from kechuang.matching.engine import cli as rank_cli


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def files(tmp_path):
    c = tmp_path / "c.jsonl"
    q = tmp_path / "q.jsonl"
    _write(
        c,
        [
            {
                "id": "g",
                "name": "王石",
                "keywords": ["石墨烯"],
                "documents": [{"title": "石墨烯薄膜", "text": "石墨烯薄膜的规模化制备。"}],
            },
            {"id": "r", "name": "李禾", "text": "水稻高产栽培与育种。", "keywords": ["水稻"]},
            {
                "id": 3,
                "name": "5G lab",
                "documents": [{"title": "Massive MIMO", "text": "5G antenna arrays."}],
            },
            {"id": "t1", "text": "无关内容"},
            {"id": "t0", "text": "无关内容"},
        ],
    )
    _write(
        q,
        [
            {"id": "q1", "title": "石墨烯", "text": "石墨烯 规模化制备 产业化", "keywords": ["石墨烯"]},
            {"id": "q2", "text": "5G antenna"},
        ],
    )
    return c, q, tmp_path


def test_rank_output_well_formed_and_deterministic(files):
    c, q, tmp = files
    out1, out2 = tmp / "r1.jsonl", tmp / "r2.jsonl"
    assert (
        main(
            [
                "rank",
                "--candidates",
                str(c),
                "--queries",
                str(q),
                "--top",
                "0",
                "--out",
                str(out1),
                "--no-dense",
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "rank",
                "--candidates",
                str(c),
                "--queries",
                str(q),
                "--top",
                "0",
                "--out",
                str(out2),
                "--no-dense",
                "--quiet",
            ]
        )
        == 0
    )
    assert out1.read_bytes() == out2.read_bytes()
    lines = [json.loads(x) for x in out1.read_text(encoding="utf-8").splitlines()]
    assert [x["query"] for x in lines] == ["q1", "q2"]
    for line in lines:
        res = line["results"]
        assert len(res) == 5  # --top 0 = all
        assert [r["score"] for r in res] == sorted((r["score"] for r in res), reverse=True)
        for r in res:
            assert set(r) >= {"id", "score", "evidence"}
            assert r["score"] == round(r["score"], 6)
        ties = [r["id"] for r in res if r["score"] == res[-1]["score"]]
        assert ties == sorted(ties)
    assert lines[0]["results"][0]["id"] == "g"
    assert lines[0]["results"][0]["evidence"][0]["spans"]
    assert lines[1]["results"][0]["id"] == "3"


def test_rank_top_k(files):
    c, q, tmp = files
    out = tmp / "r.jsonl"
    assert (
        main(
            [
                "rank",
                "--candidates",
                str(c),
                "--queries",
                str(q),
                "--top",
                "2",
                "--out",
                str(out),
                "--no-dense",
                "--quiet",
            ]
        )
        == 0
    )
    assert all(len(json.loads(x)["results"]) == 2 for x in out.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    "bad_line,message",
    [
        ("{not json", "invalid JSON"),
        ('{"name": "no id"}', "'id' is missing"),
        ('{"id": "x", "keywords": "石墨烯"}', "'keywords' must be a list of strings"),
        ('{"id": "x", "documents": ["text"]}', "documents[0] must be an object"),
        ('["a list"]', "expected a JSON object"),
        ('{"id": "g", "text": "duplicate"}', "duplicate id"),
    ],
)
def test_malformed_candidate_line_exits_2_with_line_number(files, capsys, bad_line, message):
    c, q, tmp = files
    c.write_text(c.read_text(encoding="utf-8") + "\n" + bad_line + "\n", encoding="utf-8")
    out = tmp / "r.jsonl"
    rc = main(
        ["rank", "--candidates", str(c), "--queries", str(q), "--out", str(out), "--no-dense", "--quiet"]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert f"{c}:7:" in err and message in err
    assert not out.exists()
    assert [p.name for p in tmp.iterdir() if p.name.startswith(".r.jsonl")] == []


def test_malformed_query_line(files, capsys):
    c, q, tmp = files
    q.write_text(q.read_text(encoding="utf-8") + '{"id": "q3"}\n', encoding="utf-8")
    out = tmp / "r.jsonl"
    assert (
        main(
            ["rank", "--candidates", str(c), "--queries", str(q), "--out", str(out), "--no-dense", "--quiet"]
        )
        == 2
    )
    assert f"{q}:3: query 'q3' has no 'text'" in capsys.readouterr().err
    assert not out.exists()


def test_failure_while_ranking_leaves_no_output(files, monkeypatch):
    c, q, tmp = files
    out = tmp / "r.jsonl"
    from kechuang.matching.engine.engine import Index

    def boom(self, *a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(Index, "search", boom)
    with pytest.raises(RuntimeError):
        rank_cli.run(rank_cli_args(c, q, out))
    assert not out.exists() and not [p for p in tmp.iterdir() if p.suffix == ".tmp"]


def rank_cli_args(c, q, out):
    import argparse

    p = argparse.ArgumentParser()
    rank_cli.add_arguments(p)
    return p.parse_args(
        ["--candidates", str(c), "--queries", str(q), "--out", str(out), "--no-dense", "--quiet"]
    )
