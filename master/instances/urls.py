"""Master API routes of instances, under /api/master/."""

urlpatterns = []
