"""Routes of the inventory API, under /api/v1/."""

urlpatterns = []
