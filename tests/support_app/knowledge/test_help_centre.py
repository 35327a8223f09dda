"""The help centre of company sites: pages for every company's users, one changeable vote
per user and article, and one company's votes never shown as another's."""

import pytest
from django_tenants.utils import tenant_context

from support.knowledge.models import ArticleVote
from support.knowledge.selectors import with_vote_counts

from .conftest import make_article


@pytest.mark.parametrize("reader", ["reader_a", "reader_b"])
def test_the_help_centre_and_an_article_render_for_each_companys_users(request, reader, fermentation, draft):
    client = request.getfixturevalue(reader)
    page = client.get("/help/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/help/fermentacion/"' in html and "/help/borrador/" not in html
    assert "Fermentación del cacao" in client.get("/help/", {"q": "fermentacion"}).content.decode()
    assert client.get("/help/fermentacion/").status_code == 200
    assert client.get("/help/borrador/").status_code == 404


def test_the_help_centre_asks_anonymous_visitors_to_sign_in(company_a, fermentation):
    from django.test import Client

    response = Client(HTTP_HOST=company_a.primary_domain).get("/help/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_english_reader_gets_the_english_article_of_a_shared_slug(reader_a, company_a):
    make_article(title="Precio por quintal", slug="quintal")
    make_article(title="Price per quintal", slug="quintal", language="en")
    with tenant_context(company_a):
        type(reader_a.user).objects.filter(pk=reader_a.user.pk).update(language="en")
    assert "Price per quintal" in reader_a.get("/help/quintal/").content.decode()


def test_one_vote_per_user_and_article_which_the_user_can_change(reader_a, fermentation):
    vote = {"article": fermentation.pk, "helpful": "yes"}
    assert reader_a.post("/help/fermentacion/vote/", vote).status_code == 302
    assert 'data-your-vote="yes"' in reader_a.get("/help/fermentacion/").content.decode()
    reader_a.post("/help/fermentacion/vote/", {**vote, "helpful": "no"})
    assert list(ArticleVote.objects.values_list("user_id", "helpful")) == [(reader_a.user.pk, False)]
    counted = with_vote_counts(type(fermentation).objects.filter(pk=fermentation.pk)).get()
    assert (counted.helpful_yes, counted.helpful_no) == (0, 1)
    assert reader_a.post("/help/fermentacion/vote/", {**vote, "helpful": "maybe"}).status_code == 400
    assert reader_a.post("/help/fermentacion/vote/", {**vote, "article": "x"}).status_code == 400


def test_a_vote_of_company_a_is_not_company_bs_users_vote(reader_a, reader_b, fermentation, draft):
    reader_a.post("/help/fermentacion/vote/", {"article": fermentation.pk, "helpful": "yes"})
    # B's plain user may have the same id in B's schema as A's user in A's.
    page_b = reader_b.get("/help/fermentacion/").content.decode()
    assert "data-your-vote" not in page_b
    reader_b.post("/help/fermentacion/vote/", {"article": fermentation.pk, "helpful": "no"})
    assert sorted(ArticleVote.objects.values_list("company__slug", "helpful")) == [
        ("alpha", True),
        ("beta", False),
    ]
    assert 'data-your-vote="yes"' in reader_a.get("/help/fermentacion/").content.decode()
    assert reader_b.post("/help/borrador/vote/", {"article": draft.pk, "helpful": "yes"}).status_code == 404


def test_the_root_domain_has_no_help_centre(staff_web, fermentation):
    assert staff_web.get("/help/").status_code == 404
