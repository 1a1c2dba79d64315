"""The stack as deployed: nginx (deploy/nginx) in front of two gunicorn app servers
(deploy/gunicorn.conf.py) sharing one PostgreSQL and one Redis.

PostgreSQL only, like tests/faults and tests/scaleout. Without nginx installed these tests are
skipped, unless REQUIRE_NGINX is set (CI), which makes that a failure. nginx writes its access
log (deploy/nginx's `scalepress` format: cache status and the app server that answered) to
`access.log` in its folder.
"""

import contextlib
import os

import pytest

from deploy.stack import Nginx, nginx_binary
from tests.edge.dying_link import DyingLink
from tests.scaleout.conftest import postgres, redis_url  # noqa: F401 -- fixtures used here
from tests.servers import AppServer, collect_static


def require_nginx():
    if nginx_binary() is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("REQUIRE_NGINX is set but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")


@contextlib.contextmanager
def running_stack(postgres, redis_url, tmp_path, link=False):  # noqa: F811
    """(nginx, [app server A, app server B], the link to A or None), all started; stopped
    after. With `link`, nginx reaches A through a DyingLink (tests/edge/dying_link.py)."""
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
    to_a = DyingLink(apps[0].port) if link else None
    upstreams = [to_a.address if to_a else f"127.0.0.1:{apps[0].port}", f"127.0.0.1:{apps[1].port}"]
    edge = Nginx(tmp_path / "nginx", upstreams)
    for app in apps:
        app.env["SITE_URL"] = edge.url
    try:
        for app in apps:
            app.spawn()
        for app in apps:
            app.wait_ready()
        if to_a:
            to_a.up()
        edge.start(access_log=f"{edge.folder / 'access.log'} scalepress")
        edge.wait_ready(edge.url + "/healthz")
        yield edge, apps, to_a
    finally:
        edge.stop()
        if to_a:
            to_a.down()
        for app in apps:
            app.stop()


@pytest.fixture
def stack(postgres, redis_url, tmp_path):  # noqa: F811 -- the fixtures imported above
    """(nginx, [app server A, app server B]), all started; stopped after the test."""
    with running_stack(postgres, redis_url, tmp_path) as (edge, apps, _):
        yield edge, apps


@pytest.fixture
def linked_stack(postgres, redis_url, tmp_path):  # noqa: F811
    """(nginx, [A, B], link): as `stack`, with nginx reaching A only through `link`."""
    with running_stack(postgres, redis_url, tmp_path, link=True) as stack:
        yield stack
