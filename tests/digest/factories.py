from datetime import timedelta

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from factory.django import DjangoModelFactory
from taggit.models import Tag, TaggedItem

from digest.models import Item, Post, Quote, Stat, slug_from_title
from digest.models.parts import sync_parts
from tests.accounts.factories import UserFactory


class PostFactory(DjangoModelFactory):
    """A published article, an hour older than the one made before it."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"How Example {n} Scaled to Millions")
    kind = Post.Kind.ARTICLE
    status = Post.Status.PUBLISHED
    publish_at = factory.Sequence(lambda n: timezone.now() - timedelta(hours=n + 1))
    author = factory.SubFactory(UserFactory)
    excerpt = "An *excerpt* about scaling."
    body = "The body, with the rest of the story."

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    class Params:
        draft = factory.Trait(status=Post.Status.DRAFT)
        pending = factory.Trait(status=Post.Status.PENDING)
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )
        digest = factory.Trait(kind=Post.Kind.DIGEST)


def bulk_posts(count, author, tags=(), start=None, **fields):
    """`count` published posts in a few queries, one a day back from `start` (for big pages)."""
    start = start or timezone.now() - timedelta(minutes=5)
    posts = []
    for index in range(count):
        title = f"Bulk entry {index}: lessons from the archive"
        post = Post(
            title=title,
            slug=slug_from_title(title),
            status=Post.Status.PUBLISHED,
            publish_at=start - timedelta(days=index),
            author=author,
            excerpt=f"Excerpt of entry {index}.",
            body=f"Body of entry {index}.",
            **fields,
        )
        post.render()
        posts.append(post)
    Post.objects.bulk_create(posts, batch_size=500)
    Post.objects.filter(pk__in=[post.pk for post in posts]).refresh_search()
    if tags:
        content_type = ContentType.objects.get_for_model(Post)
        tag_objects = [
            Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in tags
        ]
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(tag=t, content_type=content_type, object_id=p.pk)
                for p in posts
                for t in tag_objects
            ]
        )
    return posts


class PartFactory(DjangoModelFactory):
    """A part written as an editor's save writes one: its row, then its post's rendering."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        part = super()._create(model_class, *args, **kwargs)
        part.post.refresh_parts()
        return part


class StatFactory(PartFactory):
    class Meta:
        model = Stat

    post = factory.SubFactory(PostFactory, digest=True)
    position = factory.Sequence(int)
    figure = factory.Sequence(lambda n: f"{n}K")
    label = "msgs per second"


class QuoteFactory(PartFactory):
    class Meta:
        model = Quote

    post = factory.SubFactory(PostFactory, digest=True)
    position = factory.Sequence(int)
    speaker = "@antirez"
    text = factory.Sequence(lambda n: f"Quote number {n} about latency.")
    on_index = True


class ItemFactory(PartFactory):
    class Meta:
        model = Item

    post = factory.SubFactory(PostFactory, digest=True)
    position = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"[Link {n}](https://example.com/{n}). Commentary.")
    on_index = True


def digest_with_parts(stats=(), quotes=(), items=(), **post_fields):
    """A digest post with its parts, written through the one write path (sync_parts, save).

    stats: (figure, label); quotes: (speaker, text, on_index); items: (text, on_index).
    """
    post = PostFactory(digest=True, **post_fields)
    sync_parts(
        post,
        stats=[{"figure": figure, "label": label} for figure, label in stats],
        quotes=[{"speaker": s, "text": t, "on_index": on} for s, t, on in quotes],
        items=[{"text": text, "on_index": on} for text, on in items],
    )
    post.save()
    post.refresh_from_db()
    return post
