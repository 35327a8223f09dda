"""Markdown is rendered to sanitized HTML: a script, an event handler or a javascript: link
written in an article never reaches a page or the API."""

import pytest

from .conftest import make_article

HOSTILE = """# Título

<script>alert('xss')</script>
<img src="x.png" onerror="alert('img')">
[Haga clic](javascript:alert('link')) y <a href="JaVaScRiPt:alert(1)" onclick="alert(2)">aquí</a>
<iframe src="https://example.com"></iframe>

**Negrita** y [un enlace](https://triboka.com/ayuda).
"""


def assert_harmless(html: str):
    lowered = html.lower()
    for needle in ("<script", "alert(", "onerror", "onclick", "javascript:", "<iframe"):
        assert needle not in lowered, needle


@pytest.fixture
def hostile(db):
    return make_article(title="Artículo hostil", slug="hostil", body=HOSTILE)


def test_the_stored_html_keeps_the_markdown_and_drops_the_dangerous_parts(hostile):
    assert_harmless(hostile.body_html)
    assert "<strong>Negrita</strong>" in hostile.body_html
    assert 'href="https://triboka.com/ayuda"' in hostile.body_html
    assert "<h2>Título</h2>" in hostile.body_html  # the page's own title is the h1


def test_the_article_page_has_no_script_from_the_article(reader_a, hostile):
    response = reader_a.get("/help/hostil/")
    assert response.status_code == 200
    article = response.content.decode().split('class="article-body">')[1].split("</div>")[0]
    assert_harmless(article)
    assert "<strong>Negrita</strong>" in article


def test_the_api_serves_sanitized_html_and_search_results(reader_a, hostile):
    response = reader_a.get(f"/api/support/knowledge/{hostile.pk}")
    assert response.status_code == 200
    assert_harmless(response.json()["body_html"])
    results = reader_a.get("/help/", {"q": "hostil"}).content.decode()
    assert "Artículo hostil" in results
    assert_harmless(results.split("<main")[1].split("</main>")[0])
