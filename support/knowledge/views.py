"""The help centre of every company site: search and browse the published articles, read
one, say whether it helped, and the suggestions the ticket form asks for while its subject
is typed.

Any signed-in user of the company may open these (not the root domain: there is no company
there). A vote is the user's own, named by company and user id.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from triboka.accounts.models import Role

from . import selectors, services
from .models import Article, ArticleCategory
from .rendering import excerpt

MAX_RESULTS = 30
MAX_QUERY_LENGTH = 200


def company_user_required(view):
    """A signed-in user of this company site."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "company", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.allowed_roles = frozenset(Role.values) - {Role.STAFF}  # read by the navigation and the tests
    return wrapper


def _language(request) -> str:
    return selectors.reader_language(get_language())


def _query_text(request) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]


@company_user_required
@require_GET
def help_centre(request):
    text = _query_text(request)
    category = request.GET.get("category", "")
    category = category if category in ArticleCategory.values else ""
    articles = selectors.article_list_published(
        text=text, category=category, prefer_language=_language(request)
    )
    context = {
        "text": text,
        "category": category,
        "categories": ArticleCategory.choices,
        "reader_language": _language(request),
    }
    if text:
        context["results"] = results = list(articles[:MAX_RESULTS])
        for article in results:
            article.excerpt = excerpt(article.body_html)
    else:
        by_category = {}
        for article in articles:
            by_category.setdefault(article.category, []).append(article)
        context["sections"] = [
            (label, by_category[value]) for value, label in ArticleCategory.choices if value in by_category
        ]
    return render(request, "support/knowledge/help_centre.html", context)


@company_user_required
@require_GET
def help_article(request, slug: str):
    language = _language(request)
    try:
        article = selectors.article_get_published(slug=slug, prefer_language=language)
    except Article.DoesNotExist:
        raise Http404 from None
    related = (
        Article.objects.published()
        .filter(category=article.category, language=article.language)
        .exclude(pk=article.pk)
        .order_by("title")[:5]
    )
    vote = selectors.vote_of(article=article, company=request.company, user_id=request.user.pk)
    return render(
        request,
        "support/knowledge/article.html",
        {"article": article, "related": related, "vote": vote, "reader_language": language},
    )


@company_user_required
@require_POST
def help_vote(request, slug: str):
    answer, article_id = request.POST.get("helpful"), request.POST.get("article", "")
    if answer not in ("yes", "no") or not article_id.isdigit():
        return HttpResponseBadRequest(_("Say whether the article helped: yes or no."))
    article = Article.objects.published().filter(slug=slug, pk=int(article_id)).first()
    if article is None:
        raise Http404
    services.article_vote(
        article=article, company=request.company, user_id=request.user.pk, helpful=answer == "yes"
    )
    messages.success(request, _("Thank you: your answer helps us improve the help."))
    return redirect(f"{article.get_absolute_url()}#helpful")


@company_user_required
@require_GET
def help_suggest(request):
    """JSON: up to five published articles matching ``q`` (title, url, excerpt)."""
    found = selectors.article_suggestions(text=_query_text(request), prefer_language=_language(request))
    results = [
        {"title": article.title, "url": article.get_absolute_url(), "excerpt": excerpt(article.body_html, 25)}
        for article in found
    ]
    return JsonResponse({"results": results})
