"""/api/support/knowledge: staff on the root domain read drafts and write; a company's users
read published articles only and write nothing."""

import pytest

from support.knowledge.models import Article
from tests.conftest import COMPANY_A, bearer, login_tokens

NEW = {"title": "Nuevo", "slug": "nuevo", "category": "support", "body": "Texto *nuevo*.", "tags": ["a"]}


@pytest.fixture
def company_api(company_a):
    host = company_a.primary_domain
    return bearer(host, login_tokens(host, COMPANY_A.admin_email)["access"])


@pytest.mark.parametrize("path", ["/api/support/knowledge", "/api/support/knowledge/"])
def test_staff_create_and_list_drafts_with_or_without_slash(staff_api, draft, path):
    response = staff_api.post(path, NEW, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["body_html"] == "<p>Texto <em>nuevo</em>.</p>"
    listed = {row["slug"] for row in staff_api.get(path).json()["results"]}
    assert listed == {"nuevo", "borrador"}
    published = staff_api.get(path, {"published": "true", "q": "nuevo"}).json()["results"]
    assert published == [] and response.json()["is_published"] is False


def test_staff_update_with_put_and_bad_input_is_a_400(staff_api, draft):
    response = staff_api.put(
        f"/api/support/knowledge/{draft.pk}", {**NEW, "slug": "borrador", "is_published": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Article.objects.get(pk=draft.pk).is_published and draft.versions.count() == 2
    assert (
        staff_api.put(
            f"/api/support/knowledge/{draft.pk}/", {**NEW, "category": "x"}, format="json"
        ).status_code
        == 400
    )
    assert (
        staff_api.post("/api/support/knowledge", {**NEW, "slug": "suggest"}, format="json").status_code == 400
    )


def test_a_company_user_reads_published_articles_only(company_api, fermentation, draft):
    listed = company_api.get("/api/support/knowledge")
    assert listed.status_code == 200
    assert [row["slug"] for row in listed.json()["results"]] == ["fermentacion"]
    assert company_api.get(f"/api/support/knowledge/{fermentation.pk}").status_code == 200
    assert company_api.get(f"/api/support/knowledge/{draft.pk}").status_code == 404
    search = company_api.get(
        "/api/support/knowledge", {"q": "fermentacion", "language": "es", "category": "lots"}
    )
    assert [row["slug"] for row in search.json()["results"]] == ["fermentacion"]
    assert company_api.get("/api/support/knowledge", {"category": "iot"}).json()["results"] == []


def test_a_company_user_cannot_create_or_update(company_api, fermentation):
    assert company_api.post("/api/support/knowledge", NEW, format="json").status_code == 403
    assert company_api.put(f"/api/support/knowledge/{fermentation.pk}", NEW, format="json").status_code == 403
    assert not Article.objects.filter(slug="nuevo").exists()


def test_anonymous_callers_are_refused_on_both_sides(company_a, root_host, fermentation):
    from tests.conftest import api_client

    assert api_client(root_host).get("/api/support/knowledge").status_code in (401, 403)
    assert api_client(company_a.primary_domain).get("/api/support/knowledge").status_code in (401, 403)
