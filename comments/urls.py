from django.urls import path

from caching.pages import public_page

from . import feeds, views

app_name = "comments"

urlpatterns = [
    path("comments/token/", views.form_token, name="form-token"),
    path("comments/post/<int:post_id>/", views.post_comment, name="post"),
    path("comments/post/<int:post_id>/write/", views.write, name="write"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="delete"),
    path("comments/feed/", public_page(feeds.CommentsFeed()), name="feed-rss"),
    path("comments/feed/atom/", public_page(feeds.AtomCommentsFeed()), name="feed-atom"),
    path(
        "comments/feed/post/<int:post_id>/", public_page(feeds.PostCommentsFeed()), name="post-feed"
    ),
    path("comments/follow/<str:token>/", views.thread_confirm, name="thread-confirm"),
    path("comments/unfollow/<str:token>/", views.thread_unsubscribe, name="thread-unsubscribe"),
]
