"""Fault tests run the site as in production (gunicorn, DEBUG off) against the test
database, and break things under it: the database, workers, the master process.

They need PostgreSQL (several processes share one database) and are skipped on SQLite.
"""

import pytest
from django.db import connection

from tests.faults.tcp_proxy import TcpProxy
from tests.servers import AppServer, collect_static


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("fault tests share one database between processes: PostgreSQL only")
    return connection.settings_dict


@pytest.fixture(scope="session")
def collected_static():
    collect_static()


@pytest.fixture
def app_server(postgres, collected_static, tmp_path):
    """Start gunicorn reaching the database straight, or through `via` (a TcpProxy)."""
    servers = []

    def start(via=None, workers=2):
        host, port = ("127.0.0.1", via.port) if via else (postgres["HOST"], postgres["PORT"])
        server = AppServer(postgres, host, port, tmp_path, workers=workers).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def database_proxy(postgres):
    proxy = TcpProxy(postgres["HOST"] or "127.0.0.1", int(postgres["PORT"] or 5432))
    proxy.up()
    yield proxy
    proxy.down()
