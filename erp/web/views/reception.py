"""Pages of the reception module."""

urlpatterns = []
