"""Reads of the knowledge base: what readers see (published articles only), what staff see
(everything), full-text search and the votes.

Search runs on the stored ``search_vector`` with each article's own language configuration:
a Spanish article is matched by the query as the Spanish stemmer reads it, an English one as
the English stemmer does. Accents are folded in Python as well as by the ``unaccent``
dictionary (see migration 0002), so the embedded PostgreSQL without that extension answers
the same.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When

from master.companies.models import Company

from .models import SEARCH_CONFIGS, Article, ArticleLanguage, ArticleVote
from .rendering import fold_accents

MAX_QUERY_WORDS = 12
MIN_SUGGEST_LENGTH = 3


def reader_language(language_code: str | None) -> str:
    """ "es-ec" -> "es"; anything else than a language of the articles -> Spanish."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in ArticleLanguage.values else ArticleLanguage.SPANISH


def _query(text: str, config: str, *, any_word: bool) -> SearchQuery | None:
    folded = fold_accents(text).strip()
    if not any_word:
        return SearchQuery(folded, config=config, search_type="websearch") if folded else None
    # While someone types: any of the words, the last one perhaps unfinished.
    words = [word for word in re.findall(r"[^\W_]+", folded) if len(word) > 1][:MAX_QUERY_WORDS]
    if not words:
        return None
    return SearchQuery(" | ".join(f"{word}:*" for word in words), config=config, search_type="raw")


def _language_first(queryset: QuerySet, language: str | None) -> QuerySet:
    return queryset.annotate(
        other_language=Case(
            When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )


def article_search(
    *,
    text: str,
    queryset: QuerySet | None = None,
    prefer_language: str | None = None,
    any_word: bool = False,
) -> QuerySet:
    """Articles matching ``text``, best first (those in ``prefer_language`` before others)."""
    queryset = Article.objects.all() if queryset is None else queryset
    queries = {
        language: _query(text, config, any_word=any_word) for language, config in SEARCH_CONFIGS.items()
    }
    if any(query is None for query in queries.values()):
        return queryset.none()
    matches, ranks = Q(), []
    for language, query in queries.items():
        matches |= Q(language=language, search_vector=query)
        ranks.append(When(language=language, then=SearchRank(F("search_vector"), query)))
    found = queryset.filter(matches).annotate(
        rank=Case(*ranks, default=Value(0.0), output_field=FloatField())
    )
    return _language_first(found, prefer_language).order_by("other_language", "-rank", "title", "pk")


def article_list_published(
    *, text: str = "", language: str = "", category: str = "", prefer_language: str | None = None
) -> QuerySet:
    """What a company's users may read: published articles, filtered and searched."""
    articles = Article.objects.published()
    if language:
        articles = articles.filter(language=language)
    if category:
        articles = articles.filter(category=category)
    if text.strip():
        return article_search(text=text, queryset=articles, prefer_language=prefer_language)
    return _language_first(articles, prefer_language).order_by("category", "other_language", "title", "pk")


def article_list_for_staff(
    *, text: str = "", language: str = "", category: str = "", published: bool | None = None
) -> QuerySet:
    articles = Article.objects.all()
    if language:
        articles = articles.filter(language=language)
    if category:
        articles = articles.filter(category=category)
    if published is not None:
        articles = articles.filter(is_published=published)
    if text.strip():
        return article_search(text=text, queryset=articles)
    return articles.order_by("-updated_at", "-pk")


def article_suggestions(*, text: str, prefer_language: str | None, limit: int = 5) -> list[Article]:
    """Published articles for what someone is typing (a ticket's subject)."""
    if len(text.strip()) < MIN_SUGGEST_LENGTH:
        return []
    found = article_search(
        text=text, queryset=Article.objects.published(), prefer_language=prefer_language, any_word=True
    )
    if not found.query.annotations:  # nothing to search for
        return []
    return list(found.order_by("-rank", "other_language", "title")[:limit])


def article_get_published(*, slug: str, prefer_language: str | None) -> Article:
    """The published article at ``/help/<slug>/``: in the reader's language if both exist.
    Raises Article.DoesNotExist."""
    found = _language_first(Article.objects.published().filter(slug=slug), prefer_language)
    article = found.order_by("other_language").first()
    if article is None:
        raise Article.DoesNotExist
    return article


def with_vote_counts(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        helpful_yes=Count("votes", filter=Q(votes__helpful=True)),
        helpful_no=Count("votes", filter=Q(votes__helpful=False)),
    )


def vote_of(*, article: Article, company: Company, user_id: int) -> bool | None:
    """The user's answer for this article (True: helpful), or None."""
    return (
        ArticleVote.objects.filter(article=article, company=company, user_id=user_id)
        .values_list("helpful", flat=True)
        .first()
    )
