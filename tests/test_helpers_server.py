"""The browser tests' server start (tests/helpers.py): a port taken before the server
binds it is chosen again, and a non-HTTP answer on it is waited through."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

from helpers import free_port, start_server, wait_for_http


def test_a_server_that_exits_is_started_again_on_another_port():
    tries: list[int] = []

    def argv(port: int) -> list[str]:
        tries.append(port)
        if len(tries) == 1:  # the port was taken meanwhile: the server exits at once
            return [sys.executable, "-c", "raise SystemExit(1)"]
        return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]

    proc, port = start_server(argv, lambda p: f"http://127.0.0.1:{p}/", seconds=30,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert len(tries) == 2 and port == tries[1]
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_port_answering_in_another_protocol_is_not_ready():
    # a ZeroMQ socket greets with 0xff: http.client raises BadStatusLine, not OSError
    port = free_port()
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen()

    def greet() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\r\n\r\n")

    threading.Thread(target=greet, daemon=True).start()
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])
    try:
        assert wait_for_http(f"http://127.0.0.1:{port}/", 20, dead) is False
    finally:
        srv.close()
        dead.wait(timeout=10)
