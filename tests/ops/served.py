"""`make serve` (scripts/serve.sh) started for real on a free port, for the serving and nginx tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "serve-test-only-5d0c3a9f1e7b42c68a0f3e1d9b7c5a3f2e1d0c9b8a7f6e5d4c3b2a1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_env(tmp: Path, port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KECHUANG_", "PG"))}
    env.update(
        KECHUANG_SECRET_KEY=SECRET, KECHUANG_ALLOWED_HOSTS="127.0.0.1,localhost", KECHUANG_BEHIND_PROXY="1",
        KECHUANG_VAR_DIR=str(tmp / "var"), KECHUANG_STATIC_ROOT=str(tmp / "static"), KECHUANG_DB="sqlite",
        PORT=str(port), WEB_CONCURRENCY="2", WORKERS="2", KECHUANG_WORKER_HEARTBEAT_SECONDS="2",
        BIN=str(ROOT / ".venv" / "bin"),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def get(url: str, headers: dict | None = None, context=None) -> tuple[int, dict, bytes]:
    assert url.startswith(("http://127.0.0.1", "https://127.0.0.1"))
    req = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own local server
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())
    try:
        with opener.open(req, timeout=20) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def start(tmp: Path, **extra) -> Served:
    port = free_port()
    log = tmp / "serve.log"
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env=serve_env(tmp, port, **extra),
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    served = Served(proc, port, log)
    deadline = time.monotonic() + 600  # migrations + compressing static files on a busy 2-core machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"make serve ended early:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            code, _, body = get(served.base + "/healthz")
            if code == 200 and json.loads(body)["workers"]["alive"] >= int(extra.get("WORKERS", 2)):
                return served
        except (OSError, ValueError):
            pass
        time.sleep(1)
    served.stop()
    raise AssertionError(f"make serve never became healthy:\n{log.read_text(errors='replace')[-4000:]}")
