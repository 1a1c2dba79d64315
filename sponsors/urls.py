# Sponsor self-service, the sponsors page and click tracking arrive with the sponsors issue.
app_name = "sponsors"

urlpatterns = []
