"""The comment rate limits are shared by app servers: two gunicorn instances (two workers
each) with one PostgreSQL and one Redis, flooded in turn by one client, add only what one
server alone would allow. PostgreSQL and Redis only (the fixtures of tests/scaleout skip
without them)."""

import json

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.digest.factories import PostFactory
from tests.scaleout.conftest import postgres, redis_url, two_servers  # noqa: F401 -- fixtures
from tests.servers import Browser

pytestmark = pytest.mark.scaleout
FLOOD = 100
# One window of 5 a minute, or two when the run crosses a window's end.
MOST = 10


@pytest.fixture
def servers(postgres, monkeypatch, request):  # noqa: F811 -- tests/scaleout's fixture
    """tests/scaleout's two servers, whose forms may be sent at once (no time trap wait)."""
    monkeypatch.setenv("COMMENTS_TRAP_MIN_SECONDS", "0")
    return request.getfixturevalue("two_servers")


def test_a_flood_across_two_servers_adds_only_a_handful_of_rows(servers):
    post = PostFactory()
    browser = Browser()
    statuses = {}
    for n in range(FLOOD):
        server = servers[n % 2]
        token = browser.get(server.url + reverse("comments:form-token"))
        assert token.status in (200, 429)
        if token.status != 200:  # the token itself is limited too (60 a minute)
            statuses["token 429"] = statuses.get("token 429", 0) + 1
            continue
        fields = {
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "trap": json.loads(token.body)["trap"],
            "name": "Flood",
            "email": f"flood{n}@example.net",
            "body": f"Buy {n}",
        }
        answer = browser.post(server.url + reverse("comments:post", args=[post.pk]), fields)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    rows = Comment.objects.count()
    print(f"\ntwo servers, {FLOOD} POSTs from one client: {rows} rows; answers {statuses}")
    assert 0 < rows <= MOST
    assert statuses.get(429, 0) + statuses.get("token 429", 0) >= FLOOD - MOST
