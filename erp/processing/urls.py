"""Routes of the processing API, under /api/v1/."""

urlpatterns = []
