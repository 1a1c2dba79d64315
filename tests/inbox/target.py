"""A real HTTP server on a loopback address for the fetcher to reach: each path answers as the
test sets it up (`routes`), and every request it received is recorded (`requests`), so a test
can show that a refused address was never connected to."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Target:
    def __init__(self, host="127.0.0.1"):
        self.routes = {}  # path: (status, headers, body bytes)
        self.requests = []  # (path, Host header, Cookie header)
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                target.requests.append(
                    (self.path, self.headers.get("Host"), self.headers.get("Cookie"))
                )
                status, headers, body = target.routes.get(
                    self.path, (404, {"Content-Type": "text/plain"}, b"no such page")
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.host, self.port = self.server.server_address[:2]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/", host=None):
        return f"http://{host or self.host}:{self.port}{path}"

    def page(self, path, html, content_type="text/html; charset=utf-8", status=200):
        self.routes[path] = (status, {"Content-Type": content_type}, html.encode())

    def redirect(self, path, location, status=302):
        self.routes[path] = (status, {"Location": location}, b"")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
