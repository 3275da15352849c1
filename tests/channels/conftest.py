"""A fake HTTP server on loopback for the WeCom robot and the SMS gateway: it records every request and answers
from a script of (status, body) or "hang" (no answer until released: a timeout for the client)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Recorded:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class FakeServer:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    script: list = field(default_factory=list)  # answers in order; the last one repeats
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self):
        if not self.script:
            return OK
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


@pytest.fixture
def fake_server():
    server_state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            state: FakeServer = server_state["fake"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Recorded(self.path, dict(self.headers), body))
            answer = state.answer()
            if answer == "hang":
                state.release.wait(5)
                return
            status, payload = answer
            data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    fake = FakeServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    server_state["fake"] = fake
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    httpd.shutdown()
    httpd.server_close()
