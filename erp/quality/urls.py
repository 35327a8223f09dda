"""Routes of the quality API, under /api/v1/."""

urlpatterns = []
