import factory
from factory.django import DjangoModelFactory

from comments.models import Comment
from tests.digest.factories import PostFactory


class CommentFactory(DjangoModelFactory):
    """An approved comment by a new address."""

    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.net")
    body_markdown = "A *good* point about caching."
    status = Comment.Status.APPROVED
