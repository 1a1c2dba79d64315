import pytest
from django.urls import reverse

from tests.digest.factories import PostFactory


@pytest.mark.django_db
def test_index_lists_a_published_post(client):
    post = PostFactory(title="Hello scalable world")
    response = client.get(reverse("digest:post-index"))
    assert response.status_code == 200
    assert post.title in response.content.decode()
