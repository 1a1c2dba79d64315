from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("sponsors.urls")),
    path("", include("digest.urls")),
]

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

handler404 = "digest.views.page_not_found"
handler500 = "digest.views.server_error"

admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Posts, sponsors and settings"
