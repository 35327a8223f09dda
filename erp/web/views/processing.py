"""Pages of the processing module."""

urlpatterns = []
