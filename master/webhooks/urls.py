"""Master API routes of webhooks, under /api/master/."""

urlpatterns = []
