"""Slow clients do not take the site down: nginx buffers them, so gunicorn's two sync workers
only ever see whole requests.

Without nginx, two connections that send their headers slowly hold both workers and the site
stops answering (the finding of issue 13). Here 500 such connections stay open while a normal
reader's requests, sent past the edge cache so that gunicorn must answer them, all succeed.
"""

import socket
import threading
import time

from django.urls import reverse

from deploy.stack import Nginx
from tests.digest.factories import PostFactory
from tests.edge.conftest import require_nginx
from tests.edge.test_edge_cache import get

SLOW_CLIENTS = 500


class Trickle:
    """Connections that send a request's headers one byte at a time, never finishing."""

    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            for sock in list(self.sockets):
                try:
                    sock.send(b"X")
                except OSError:
                    self.sockets.remove(sock)
            time.sleep(1)

    def close(self):
        self.stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def test_500_slow_clients_leave_a_normal_reader_unharmed(app_server, tmp_path):
    require_nginx()
    PostFactory(title="Answered despite the trickle")
    app = app_server(workers=2)
    edge = Nginx(tmp_path / "nginx", [f"127.0.0.1:{app.port}"]).start()
    edge.wait_ready(edge.url + "/healthz")
    trickle = Trickle(edge.port, SLOW_CLIENTS)
    try:
        time.sleep(1)
        answers = [
            get(edge, reverse("digest:post-index"), {"Cookie": "sessionid=reader"})
            for _ in range(30)
        ]
        still_open = len(trickle.sockets)
    finally:
        trickle.close()
        edge.stop()

    assert still_open == SLOW_CLIENTS
    assert [status for status, _, _ in answers] == [200] * 30
    assert all(b"Answered despite the trickle" in body for _, _, body in answers)
