"""`make serve`: refuses without its secrets; serves with gunicorn, task workers, hashed static files,
JSON request logs; /healthz sees the workers; everything it started ends when it is stopped."""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from served import ROOT, free_port, get, serve_env, start

# one `make serve` for the module: keep its tests in one xdist process (make test uses --dist loadgroup)
pytestmark = pytest.mark.xdist_group("make-serve")


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


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _nginx_conf(tmp: Path, web_port: int, http_port: int, https_port: int) -> Path:
    """deploy/nginx/kechuang.conf with this run's ports, certificate and paths, in a minimal nginx.conf."""
    site = (ROOT / "deploy" / "nginx" / "kechuang.conf").read_text(encoding="utf-8")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{web_port};")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # IPv6 may be off on a test machine
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("/etc/ssl/certs/kechuang.pem", str(tmp / "cert.pem"))
    site = site.replace("/etc/ssl/private/kechuang.key", str(tmp / "key.pem"))
    conf = tmp / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}\ndaemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log {tmp}/access.log;\n"
        f" client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
        f" fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;\n"
        f"{site}\n}}\n",
        encoding="utf-8",
    )
    return conf


def test_debian_nginx_with_the_shipped_site_in_front_of_serve(served, tmp_path):
    assert os.path.exists(NGINX), "nginx is not installed: scripts/system-deps.sh nginx (make test runs it)"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    http_port, https_port = free_port(), free_port()
    conf = _nginx_conf(tmp_path, served.port, http_port, https_port)
    subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], check=True, capture_output=True, timeout=30)
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        tls = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        tls.check_hostname = False
        https = f"https://127.0.0.1:{https_port}"
        for _ in range(50):
            try:
                code, headers, body = get(https + "/healthz", context=tls)
                break
            except OSError:
                time.sleep(0.2)
        assert code == 200 and json.loads(body)["workers"]["alive"] == 2

        code, headers, body = get(https + "/accounts/login/", context=tls)
        assert code == 200 and "Strict-Transport-Security" in headers  # X-Forwarded-Proto reached Django
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id, kept by the app
        rid = headers["X-Request-ID"]
        assert any(f'"request_id": "{rid}"' in line for line in served.log.read_text(errors="replace").splitlines())

        css = re.search(r'href="(/static/css/kechuang\.[0-9a-f]{12}\.css)"', body.decode()).group(1)
        code, headers, _ = get(https + css, context=tls)
        assert code == 200 and "immutable" in headers["Cache-Control"]

        code, headers, _ = get(f"http://127.0.0.1:{http_port}/accounts/login/")
        assert code == 301 and headers["Location"].startswith("https://")
        code, _, _ = get(f"http://127.0.0.1:{http_port}/healthz")
        assert code == 200  # probes may use plain HTTP

        big = urllib.request.Request(  # noqa: S310 - our local nginx
            https + "/accounts/login/", data=b"x" * (23 * 1024 * 1024), method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(big, context=tls, timeout=60)  # noqa: S310 - our local nginx
        assert exc.value.code == 413  # client_max_body_size, before the app reads anything
    finally:
        proc.terminate()
        proc.wait(30)


def test_stopping_serve_stops_every_process_it_started(served):
    """Last in this module: stops the shared instance and checks nothing it started is left."""
    pgid = served.proc.pid
    served.stop()
    assert served.proc.returncode is not None
    left = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", f"still running: {left.stdout}"
