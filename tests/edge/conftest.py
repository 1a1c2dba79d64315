"""The stack as deployed: nginx (deploy/nginx) in front of two gunicorn app servers
(deploy/gunicorn.conf.py) sharing one PostgreSQL and one Redis.

PostgreSQL only, like tests/faults and tests/scaleout. Without nginx installed these tests are
skipped, unless REQUIRE_NGINX is set (CI), which makes that a failure.
"""

import os

import pytest

from deploy.stack import Nginx, nginx_binary
from tests.scaleout.conftest import postgres, redis_url  # noqa: F401 -- fixtures used here
from tests.servers import AppServer, collect_static


def require_nginx():
    if nginx_binary() is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("REQUIRE_NGINX is set but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")


@pytest.fixture
def stack(postgres, redis_url, tmp_path):  # noqa: F811 -- the fixtures imported above
    """(nginx, [app server A, app server B]), all started; stopped after the test."""
    require_nginx()
    collect_static()
    host, port = postgres["HOST"], postgres["PORT"]
    apps = [
        AppServer(
            postgres,
            host,
            port,
            tmp_path,
            workers=2,
            env={"REDIS_URL": redis_url, "BEHIND_PROXY": "1", "CLIENT_IP_HEADER": "HTTP_X_REAL_IP"},
        )
        for _ in range(2)
    ]
    edge = Nginx(tmp_path / "nginx", [f"127.0.0.1:{app.port}" for app in apps])
    for app in apps:
        app.env["SITE_URL"] = edge.url
    try:
        for app in apps:
            app.spawn()
        for app in apps:
            app.wait_ready()
        edge.start()
        edge.wait_ready(edge.url + "/healthz")
        yield edge, apps
    finally:
        edge.stop()
        for app in apps:
            app.stop()
