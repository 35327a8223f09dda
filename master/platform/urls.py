"""Master API routes of system settings, under /api/master/."""

urlpatterns = []
