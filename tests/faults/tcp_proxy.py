"""A TCP proxy between the app servers and PostgreSQL that a test can switch off and on:
"the database stopped" (connections refused, open ones cut) and "the database is back",
without stopping the real server other tests use."""

import contextlib
import socket
import threading

from tests.servers import free_port


class TcpProxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server = None
        self._sockets = set()
        self._lock = threading.Lock()

    def up(self):
        server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self):
        """Refuse new connections and cut the open ones, as a stopped server would."""
        server, self._server = self._server, None
        if server:
            _close(server)  # shutdown() too: a bare close() does not wake a blocked accept()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock):
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
