"""Master API routes of billing, under /api/master/."""

urlpatterns = []
