from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from caching.pages import public_page
from digest.views import page_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("sponsors.urls")),
    path("", include("newsletter.urls")),
    path("", include("inbox.urls")),
    path("", include("comments.urls")),
    path("", include("digest.urls")),
]

if settings.ESP:
    # The e-mail service's bounce and complaint webhooks (newsletter.webhooks), behind the
    # basic-auth secret settings.py requires for them.
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))

if settings.SERVE_MEDIA:
    # Uploaded images, for a single-machine install; behind nginx or S3 turn SERVE_MEDIA off.
    urlpatterns.append(
        re_path(
            r"^media/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
            name="media",
        )
    )

# A public page (caching.pages): bots asking again and again for one missing address
# (/wp-login.php) are answered by nginx's copy, not by the app.
handler404 = public_page(page_not_found)
handler500 = "digest.views.server_error"

admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Posts, sponsors and settings"
