"""Every change saves a version; staff restore an old one from the admin (as a new version)."""

from support.knowledge.models import Article
from support.knowledge.services import article_update, article_version_restore

from .conftest import STAFF, make_article


def test_each_change_saves_a_version_and_restoring_adds_one(db):
    article = make_article(title="Primera", slug="versiones", body="Uno.")
    article_update(article=article, by=STAFF, title="Segunda", body="Dos.")
    article_update(article=article, by=STAFF, title="Segunda", body="Dos.")  # nothing changed
    assert list(article.versions.values_list("number", "title")) == [(2, "Segunda"), (1, "Primera")]

    article_version_restore(version=article.versions.get(number=1), by=STAFF)
    article.refresh_from_db()
    assert (article.title, article.body, article.body_html) == ("Primera", "Uno.", "<p>Uno.</p>")
    assert list(article.versions.values_list("number", "title", "note")) == [
        (3, "Primera", "v1"),
        (2, "Segunda", ""),
        (1, "Primera", ""),
    ]


def test_staff_write_in_the_admin_see_the_history_and_restore(staff_web):
    response = staff_web.post(
        "/admin/support_knowledge/article/add/",
        {
            "title": "Secado",
            "slug": "secado",
            "language": "es",
            "category": "lots",
            "tags": "secado, humedad",
            "module": "lots",
            "body": "Secar **al sol**.",
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="secado")
    assert article.author_name == "Triboka Staff" and article.tags == ["secado", "humedad"]
    change = f"/admin/support_knowledge/article/{article.pk}/change/"
    staff_web.post(change, {**_form(article), "body": "Secar en secadora."})
    page = staff_web.get(change).content.decode()
    assert '<div class="knowledge-preview"' in page and "<td>v2</td>" in page

    restore = f"/admin/support_knowledge/article/{article.pk}/restore/1/"
    assert "<strong>al sol</strong>" in staff_web.get(restore).content.decode()
    assert staff_web.post(restore).status_code == 302
    article.refresh_from_db()
    assert article.body == "Secar **al sol**." and article.versions.count() == 3
    assert "Triboka Staff" in staff_web.get("/admin/support_knowledge/article/").content.decode()


def _form(article) -> dict:
    return {
        "title": article.title,
        "slug": article.slug,
        "language": article.language,
        "category": article.category,
        "tags": ",".join(article.tags),
        "module": article.module,
        "body": article.body,
        "is_published": "on" if article.is_published else "",
    }
