"""A real HTTP server on 127.0.0.1 for the fake platforms (GitHub, GitLab): every request method goes to
one handler function, so each fake only says what it answers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def serve(handle: Callable[[BaseHTTPRequestHandler, str], None]) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start a loopback server on a free port; writes are answered too, so a test can see one was tried."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms ACK stalls

        def log_message(self, *a: Any) -> None:
            pass

    for method in METHODS:
        setattr(Handler, f"do_{method}", lambda self, m=method: handle(self, m))
    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread
