"""Pages of the quality module."""

urlpatterns = []
