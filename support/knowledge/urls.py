"""``/api/support/knowledge`` on both sides; the help centre on company sites."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.trailing_slash = "/?"  # the seed's paths have no trailing slash (the argument only takes a bool)
router.register("api/support/knowledge", api.KnowledgeArticleViewSet, basename="support-knowledge")

public_urlpatterns = [*router.urls]

company_urlpatterns = [
    *router.urls,
    path("help/", views.help_centre, name="support_help_centre"),
    path("help/suggest/", views.help_suggest, name="support_help_suggest"),
    path("help/<slug:slug>/", views.help_article, name="support_help_article"),
    path("help/<slug:slug>/vote/", views.help_vote, name="support_help_vote"),
]
