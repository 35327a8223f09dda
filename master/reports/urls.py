"""Master API routes of reports, under /api/master/."""

urlpatterns = []
