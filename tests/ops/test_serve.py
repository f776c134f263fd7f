"""`make serve`: refuses without its secrets; serves with gunicorn, task workers, hashed static files,
JSON request logs; /healthz sees the workers; everything it started ends when it is stopped."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from served import ROOT, get, serve_env, start


def test_serve_refuses_to_start_without_secret_key_and_hosts(tmp_path):
    env = serve_env(tmp_path, 1)
    del env["KECHUANG_SECRET_KEY"], env["KECHUANG_ALLOWED_HOSTS"]
    out = subprocess.run([str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert "KECHUANG_SECRET_KEY" in out.stderr and "KECHUANG_ALLOWED_HOSTS" in out.stderr
    assert "拒绝启动" in out.stderr
    assert not (tmp_path / "var").exists()  # nothing was migrated or started


def test_makefile_serve_runs_the_serve_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/serve.sh" in target and "scripts/system-deps.sh fonts" in target


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = start(tmp_path_factory.mktemp("serve"))
    yield s
    s.stop()


HTTPS = {"X-Forwarded-Proto": "https"}  # what nginx sends after terminating TLS


def test_serve_answers_with_production_settings(served):
    code, _, body = get(served.base + "/healthz")
    health = json.loads(body)
    assert code == 200 and health["database"]["vendor"] == "sqlite"
    assert health["workers"]["alive"] == 2 and health["workers"]["required"] is True

    code, headers, _ = get(served.base + "/accounts/login/")
    assert code == 301 and headers["Location"].startswith("https://")  # plain HTTP is redirected

    code, headers, body = get(served.base + "/accounts/login/", HTTPS)
    assert code == 200 and "Strict-Transport-Security" in headers
    css = re.search(r'href="(/static/css/kechuang\.[0-9a-f]{12}\.css)"', body.decode()).group(1)  # hashed name
    code, headers, _ = get(served.base + css, HTTPS | {"Accept-Encoding": "gzip"})
    assert code == 200
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]

    code, _, body = get(served.base + "/no-such-page/", HTTPS)
    assert code == 404 and "页面不存在".encode() in body and b"URLconf" not in body


def test_serve_logs_requests_as_json_lines(served):
    get(served.base + "/accounts/login/", HTTPS | {"X-Request-ID": "serve-test-0001"})
    lines = [json.loads(x) for x in served.log.read_text(errors="replace").splitlines() if x.startswith("{")]
    mine = [x for x in lines if x.get("request_id") == "serve-test-0001"]
    assert mine and mine[0]["path"] == "/accounts/login/" and mine[0]["status"] == 200
    assert "duration_ms" in mine[0] and mine[0]["user_id"] == "-"


def test_stopping_serve_stops_every_process_it_started(served):
    """Last in this module: stops the shared instance and checks nothing it started is left."""
    pgid = served.proc.pid
    served.stop()
    assert served.proc.returncode is not None
    left = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", f"still running: {left.stdout}"
