"""Routes of the reception API, under /api/v1/."""

urlpatterns = []
