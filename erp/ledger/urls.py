"""Routes of the ledger API, under /api/v1/."""

urlpatterns = []
