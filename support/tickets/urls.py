public_urlpatterns = []
company_urlpatterns = []
