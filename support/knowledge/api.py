"""``/api/support/knowledge`` as in the seed, with and without a trailing slash.

On the root domain Triboka staff list every article (drafts too), write and change them; on
a company site any signed-in user reads the published ones (``?q=`` searches, ``?language=``
and ``?category=`` filter) and writes nothing.
"""

from django.db import connection
from django.http import Http404
from django.utils.translation import get_language
from django_tenants.utils import get_public_schema_name
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from master.licensing.models import Module

from . import selectors, services
from .models import Article, ArticleCategory, ArticleLanguage


def on_root(request) -> bool:
    return getattr(request, "company", None) is None and connection.schema_name == get_public_schema_name()


class KnowledgeAccess(permissions.BasePermission):
    """Staff on the root domain do anything; a company's users only read."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if on_root(request):
            return bool(user.is_staff)
        return request.method in permissions.SAFE_METHODS


class KnowledgeArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "slug",
            "language",
            "category",
            "tags",
            "module",
            "is_published",
            "body",
            "body_html",
            "url",
            "author_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, article) -> str:
        """The article's page on a company site."""
        return article.get_absolute_url()


class KnowledgeArticleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200)
    language = serializers.ChoiceField(choices=ArticleLanguage.choices, default=ArticleLanguage.SPANISH)
    category = serializers.ChoiceField(choices=ArticleCategory.choices)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    module = serializers.ChoiceField(choices=Module.choices, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=100_000)
    is_published = serializers.BooleanField(required=False, default=False)


LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Full-text search (accents ignored)"),
    OpenApiParameter("language", str, enum=ArticleLanguage.values),
    OpenApiParameter("category", str, enum=ArticleCategory.values),
    OpenApiParameter("published", bool, description="Staff only: drafts (false) or published (true)"),
]


class KnowledgeArticleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [KnowledgeAccess]
    serializer_class = KnowledgeArticleSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        text = params.get("q", "")
        language = params.get("language", "") if params.get("language") in ArticleLanguage.values else ""
        category = params.get("category", "") if params.get("category") in ArticleCategory.values else ""
        if on_root(self.request):
            published = {"true": True, "false": False}.get(params.get("published", "").lower())
            return selectors.article_list_for_staff(
                text=text, language=language, category=category, published=published
            )
        return selectors.article_list_published(
            text=text,
            language=language,
            category=category,
            prefer_language=selectors.reader_language(get_language()),
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return KnowledgeArticleWriteSerializer
        return KnowledgeArticleSerializer

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=KnowledgeArticleWriteSerializer, responses={201: KnowledgeArticleSerializer})
    def create(self, request):
        serializer = KnowledgeArticleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = services.article_create(by=services.Editor.of(request.user), **serializer.validated_data)
        return Response(KnowledgeArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KnowledgeArticleWriteSerializer, responses=KnowledgeArticleSerializer)
    def update(self, request, pk=None, partial=False):
        article = self.get_object()
        serializer = KnowledgeArticleWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        article = services.article_update(
            article=article, by=services.Editor.of(request.user), **serializer.validated_data
        )
        return Response(KnowledgeArticleSerializer(article).data)

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        readable = Article.objects.all() if on_root(self.request) else Article.objects.published()
        article = readable.filter(pk=pk).first()
        if article is None:
            raise Http404
        self.check_object_permissions(self.request, article)
        return article
