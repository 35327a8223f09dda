"""Pages of the inventory module."""

urlpatterns = []
