"""Master API routes of analytics and reports, under /api/master/."""

urlpatterns = []
