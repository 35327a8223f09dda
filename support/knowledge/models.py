"""The knowledge base, in the public schema: articles written by Triboka staff, their
versions, and the "was this helpful?" votes of company users.

Staff are users of the public schema and company users live in each company's schema; a
company site's ``search_path`` puts the company's own ``accounts_user`` first, so these
tables never point at users: they keep the user's id and a copy of the name instead.

``search_vector`` is written by ``services`` (title A, tags B, body C) with the text search
configuration of the article's language (``public.spanish_unaccent`` or
``public.english_unaccent``, created by migration 0002).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from master.licensing.models import Module


class ArticleLanguage(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


# The text search configuration of each language (see migration 0002).
SEARCH_CONFIGS = {
    ArticleLanguage.SPANISH: "public.spanish_unaccent",
    ArticleLanguage.ENGLISH: "public.english_unaccent",
}


class ArticleCategory(models.TextChoices):
    GETTING_STARTED = "getting_started", _("Getting started")
    CONTRACTS = "contracts", _("Contracts and documents")
    LOTS = "lots", _("Lots and quality")
    PRICES = "prices", _("Prices and calculator")
    IOT = "iot", _("IoT devices")
    ACCOUNT = "account", _("Account, users and license")
    SUPPORT = "support", _("Support")


RESERVED_SLUGS = {"suggest"}  # /help/suggest/ is the suggestions' endpoint


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("Its address: /help/<slug>/."))
    language = models.CharField(
        _("language"), max_length=2, choices=ArticleLanguage.choices, default=ArticleLanguage.SPANISH
    )
    category = models.CharField(_("category"), max_length=20, choices=ArticleCategory.choices)
    tags = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("tags"),
        blank=True,
        default=list,
        help_text=_("Separated by commas."),
    )
    module = models.CharField(_("related module"), max_length=16, choices=Module.choices, blank=True)
    body = models.TextField(_("text (Markdown)"), max_length=100_000)
    body_html = models.TextField(_("text (HTML, sanitized)"), blank=True, editable=False)
    is_published = models.BooleanField(_("published"), default=False)
    author_user_id = models.PositiveBigIntegerField(
        _("author's user id"), null=True, blank=True, editable=False
    )
    author_name = models.CharField(_("author"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["category", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="knowledge_slug_unique_per_language")
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="knowledge_search"),
            models.Index(fields=["is_published", "language", "category"], name="knowledge_listing"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        """Its page on a company site (the help centre is in the company sites' URLs)."""
        return reverse("support_help_article", args=[self.slug], urlconf=settings.ROOT_URLCONF)

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is taken by the help centre; choose another.")})

    @property
    def search_config(self) -> str:
        return SEARCH_CONFIGS[self.language]


class ArticleVersion(models.Model):
    """The title and text of an article as one save left them (number 1 is the first)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    edited_by_user_id = models.PositiveBigIntegerField(null=True, blank=True)
    edited_by_name = models.CharField(_("edited by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique")]

    def __str__(self):
        return f"{self.article.title} v{self.number}"


class ArticleVote(models.Model):
    """A company user's answer to "was this helpful?" (one per user and article; the last
    answer counts). The user is named by company and id in the company's schema."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    user_id = models.PositiveBigIntegerField(_("user's id in the company"))
    helpful = models.BooleanField(_("helpful"))
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "company", "user_id"], name="knowledge_one_vote_per_user"
            )
        ]

    def __str__(self):
        return f"{self.article_id}: {'+' if self.helpful else '-'}"
