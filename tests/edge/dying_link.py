"""The network path from nginx to one app server, able to die in the middle of a response.

Killing a server at a random moment almost never lands between the moment its response
headers leave and the moment the rest of the page does (gunicorn writes them microseconds
apart), yet that is the one failure nginx cannot hide: once headers are passed on, the request
cannot go to another server. This link makes that moment certain: armed, it carries the next
page (a 200 with a body) only up to its headers and half of what follows, then refuses
connections and cuts the open ones, which is what nginx sees when a machine goes away.
"""

import threading

from tests.faults.tcp_proxy import TcpProxy, _close


class DyingLink(TcpProxy):
    def __init__(self, port):
        super().__init__("127.0.0.1", port)
        self.address = f"127.0.0.1:{self.port}"
        self.dead = threading.Event()
        self._armed = False
        self._responses = 0
        self._count = threading.Lock()

    @property
    def responses(self):
        """How many responses' headers the server has sent through the link."""
        with self._count:
            return self._responses

    def die_mid_page(self):
        """Cut the next page the server sends after its headers; `dead` is set then."""
        self._armed = True

    def _pipe(self, source, sink):
        try:
            from_server = source.getpeername() == self.target
        except OSError:
            from_server = False
        if not from_server:
            return super()._pipe(source, sink)
        # One response per connection: nginx keeps no connections to the app servers.
        head = b""
        try:
            while data := source.recv(65536):
                if head is not None:
                    head += data
                    end = head.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    data, head = head, None
                    with self._count:
                        self._responses += 1
                        is_page = data.split(b" ", 2)[1] == b"200"
                        cut = is_page and self._armed and not self.dead.is_set()
                        if cut:
                            self.dead.set()
                    if cut:
                        body_start = end + 4
                        sink.sendall(data[: body_start + (len(data) - body_start) // 2])
                        self.down()
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)
