from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("inbox/", views.entry_list, name="list"),
    path("inbox/add/", views.add, name="add"),
    path("inbox/paste/", views.paste, name="paste"),
    path("suggest-a-link/", views.suggest, name="suggest"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
