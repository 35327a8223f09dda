"""Writes on the knowledge base: articles (each change saves a version), restoring a
version, and the "was this helpful?" votes.

The rendered HTML and the search vector are derived here, on every save, so the pages and
the search never render or index at read time.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Max, Value
from django.utils import timezone

from master.companies.models import Company

from .models import Article, ArticleVersion, ArticleVote
from .rendering import fold_accents, markdown_to_html, plain_text

# What an article's change may set (author and dates are the service's).
EDITABLE_FIELDS = ("title", "slug", "language", "category", "tags", "module", "body", "is_published")


@dataclass(frozen=True)
class Editor:
    """The staff member who writes, as the article remembers them."""

    user_id: int | None
    name: str

    @classmethod
    def of(cls, user) -> "Editor":
        return cls(user_id=user.pk, name=user.get_full_name() or user.email)


SYSTEM_EDITOR = Editor(user_id=None, name="Triboka")


def _clean_tags(tags) -> list[str]:
    seen = []
    for tag in tags or ():
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


@transaction.atomic
def article_create(
    *,
    title: str,
    slug: str,
    body: str,
    category: str,
    by: Editor,
    language: str = "es",
    tags: list[str] | None = None,
    module: str = "",
    is_published: bool = False,
) -> Article:
    now = timezone.now()
    article = Article(
        title=title,
        slug=slug,
        body=body,
        category=category,
        language=language,
        tags=_clean_tags(tags),
        module=module,
        is_published=is_published,
        author_user_id=by.user_id,
        author_name=by.name,
        created_at=now,
        updated_at=now,
    )
    article.body_html = markdown_to_html(body)
    article.full_clean(exclude=["search_vector"])
    article.save()
    _index(article)
    _version_save(article=article, by=by)
    return article


@transaction.atomic
def article_update(*, article: Article, by: Editor, note: str = "", **changes) -> Article:
    """Change an article; a change of anything saves a new version."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "tags" in changes:
        changes["tags"] = _clean_tags(changes["tags"])
    changed = [name for name, value in changes.items() if getattr(article, name) != value]
    if not changed:
        return article
    for name in changed:
        setattr(article, name, changes[name])
    article.body_html = markdown_to_html(article.body)
    article.updated_at = timezone.now()
    article.full_clean(exclude=["search_vector"])
    article.save(update_fields=[*changed, "body_html", "updated_at"])
    _index(article)
    _version_save(article=article, by=by, note=note)
    return article


@transaction.atomic
def article_version_restore(*, version: ArticleVersion, by: Editor) -> Article:
    """Bring back a version's title and text (as a new version: the history stays whole)."""
    article = Article.objects.select_for_update().get(pk=version.article_id)
    return article_update(
        article=article,
        by=by,
        note=f"v{version.number}",
        title=version.title,
        body=version.body,
    )


def _version_save(*, article: Article, by: Editor, note: str = "") -> ArticleVersion:
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        edited_by_user_id=by.user_id,
        edited_by_name=by.name,
        note=note,
        created_at=article.updated_at,
    )


def _index(article: Article) -> None:
    """Title weighs most, then tags, then the text; accents are folded (see migration 0002)."""
    config = article.search_config
    parts = (
        (article.title, "A"),
        (" ".join(article.tags), "B"),
        (plain_text(article.body_html), "C"),
    )
    vector = None
    for text, weight in parts:
        part = SearchVector(Value(fold_accents(text)), weight=weight, config=config)
        vector = part if vector is None else vector + part
    Article.objects.filter(pk=article.pk).update(search_vector=vector)


def article_vote(*, article: Article, company: Company, user_id: int, helpful: bool) -> ArticleVote:
    """A company user's answer; answering again changes it."""
    vote, _created = ArticleVote.objects.update_or_create(
        article=article,
        company=company,
        user_id=user_id,
        defaults={"helpful": helpful, "voted_at": timezone.now()},
    )
    return vote
