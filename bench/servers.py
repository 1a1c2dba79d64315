"""The processes a load benchmark runs: gunicorn (the app, or the minimal WSGI function),
nginx serving saved pages as files, each on a free loopback port, stopped on exit."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.wrk import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2


class Server:
    """A process serving HTTP on a loopback port (its output in `tmp`), stopped on exit."""

    def __init__(self, name, argv, tmp, port, ready_path="/", env=None):
        self.name, self.port, self.ready_path = name, port, ready_path
        self.log = Path(tmp) / f"{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def fetch(self, path, timeout=60):
        """(status, headers, body, seconds) of one GET on a new connection, like wrk's."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"User-Agent": "scalepress-bench"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        return response.status, response.headers, body, time.perf_counter() - started

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.fetch(self.ready_path, timeout=5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        output = self.log.read_text(errors="replace")
        raise SystemExit(f"{self.name} did not start:\n{output}")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        stop_process(self.process)


def stop_process(process):
    """SIGTERM, then its whole process group killed if it is not gone in 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def gunicorn(name, app, tmp, extra_env=None, pythonpath=None):
    port = free_port()
    argv = [str(GUNICORN), app, "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
    argv += ["--log-level", "warning"]
    if pythonpath:
        argv += ["--pythonpath", str(pythonpath)]
    ready = "/healthz" if app == "config.wsgi" else "/"
    return Server(name, argv, tmp, port, ready, env={**os.environ, **(extra_env or {})})


NGINX_CONF = """\
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path {tmp}/client_body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {tmp}/pages;
  }}
}}
"""


def nginx(tmp):
    """nginx serving tmp/pages/*.html (default settings: keep-alive, sendfile, no access log)."""
    port = free_port()
    conf = Path(tmp) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=WORKERS, tmp=tmp, port=port))
    argv = ["nginx", "-e", f"{tmp}/error.log", "-p", tmp, "-c", str(conf)]
    return Server("nginx", argv, tmp, port, ready_path="/ready.html")
