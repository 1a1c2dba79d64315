"""The database stops under a running site, then comes back: readers get a 503 page quickly,
load balancers see /healthz unhealthy, and the site recovers by itself."""

import time

from tests.digest.factories import PostFactory
from tests.servers import fetch

OUTAGE_PAGE = "We’ll be back in a moment"


def test_a_stopped_database_gives_503_pages_fast_and_the_site_recovers(app_server, database_proxy):
    post, unseen = PostFactory(title="Scaling through a database outage"), PostFactory()
    server = app_server(via=database_proxy)
    pages = ["/", post.get_absolute_url(), "/archive/", "/search/?q=outage", "/feed/"]
    for page in pages:
        assert fetch(server.url + page)[0] == 200, page

    database_proxy.down()

    # Pages whose pieces are all cached may still be served; any other answers 503.
    needs_database = [unseen.get_absolute_url(), "/search/?q=never+asked", "/quotes/"]
    answers = {}
    for page in [*pages, *needs_database, "/sponsors/", "/admin/login/", "/admin/"]:
        status, body, seconds = fetch(server.url + page)
        answers[page] = status
        assert seconds < 5, (page, seconds)
        assert status in (200, 503, 302), (page, status, body[:300])
        if status == 503 and page != "/feed/":
            assert OUTAGE_PAGE in body, page
    assert all(answers[page] == 503 for page in needs_database), answers
    status, body, _ = fetch(server.url + "/healthz")
    assert (status, body) == (503, "database unavailable\n")

    database_proxy.up()

    deadline = time.monotonic() + 10
    while fetch(server.url + "/")[0] != 200:
        assert time.monotonic() < deadline, "the site did not recover within 10 s"
        time.sleep(0.2)
    for page in [*pages, "/healthz"]:
        assert fetch(server.url + page)[0] == 200, page
    assert post.title in fetch(server.url + post.get_absolute_url())[1]
