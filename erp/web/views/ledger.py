"""Pages of the ledger module."""

urlpatterns = []
