from django.urls import path

from caching.pages import public_page

from . import views

app_name = "sponsors"

urlpatterns = [
    path("sponsors/", public_page(views.about), name="about"),
    path("sponsors/signup/", views.signup, name="signup"),
    path("sponsors/signup/sent/", views.signup_sent, name="signup-sent"),
    path("sponsors/dashboard/", views.dashboard, name="dashboard"),
    path("sponsors/company/<int:pk>/", views.edit_company, name="company"),
    path("sponsors/submit/", views.submit, name="submit"),
    path("sponsors/listings/<int:pk>/", views.listing_detail, name="listing-detail"),
    path("sponsors/listings/<int:pk>/edit/", views.edit_listing, name="listing-edit"),
    path("sponsors/listings/<int:pk>/withdraw/", views.withdraw_listing, name="listing-withdraw"),
    path("sponsors/listings/<int:pk>/clicks.csv", views.listing_clicks_csv, name="listing-csv"),
    path("go/<int:pk>/", views.go, name="go"),
]
