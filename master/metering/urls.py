"""Master API routes of api consumption, under /api/master/."""

urlpatterns = []
