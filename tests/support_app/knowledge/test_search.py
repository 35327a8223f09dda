"""Full-text search: Spanish stemming with accents ignored, English for English articles,
title before tags before text, and the suggestions the ticket form shows."""

from support.knowledge.selectors import article_list_published, article_suggestions

from .conftest import make_article


def titles(articles) -> list[str]:
    return [article.title for article in articles]


def test_fermentacion_without_accent_finds_fermentacion_with_accent(fermentation):
    assert titles(article_list_published(text="fermentacion")) == ["Fermentación del cacao"]
    assert titles(article_list_published(text="FERMENTACIÓN")) == ["Fermentación del cacao"]
    assert titles(article_list_published(text="cuantos dias")) == ["Fermentación del cacao"]  # the text


def test_a_match_in_the_title_ranks_above_one_in_the_text(db):
    make_article(title="Secado del grano", slug="secado", body="Después de la fermentación, secar al sol.")
    make_article(title="Fermentación en cajones", slug="cajones", body="Cajones de madera.")
    make_article(title="Humedad", slug="humedad", tags=["fermentación"], body="Límites de humedad.")
    found = titles(article_list_published(text="fermentacion"))
    assert found == ["Fermentación en cajones", "Humedad", "Secado del grano"]  # title, tags, text


def test_english_articles_are_searched_in_english_and_drafts_never(fermentation, draft, db):
    make_article(title="Registering scales", slug="scales", language="en", body="Devices send readings.")
    assert titles(article_list_published(text="register scale")) == ["Registering scales"]
    assert titles(article_list_published(text="borrador")) == []


def test_readers_language_comes_first(db):
    make_article(title="Precio por quintal", slug="quintal", body="Quintal y tonelada.")
    make_article(title="Price per quintal", slug="quintal", language="en", body="Quintal and tonne.")
    assert titles(article_list_published(text="quintal", prefer_language="en"))[0] == "Price per quintal"
    assert titles(article_list_published(text="quintal", prefer_language="es"))[0] == "Precio por quintal"


def test_suggestions_match_any_word_and_an_unfinished_one(fermentation, draft):
    assert titles(article_suggestions(text="problema con la ferment", prefer_language="es")) == [
        "Fermentación del cacao"
    ]
    assert article_suggestions(text="fe", prefer_language="es") == []
    assert article_suggestions(text="'&|!:* ()", prefer_language="es") == []  # no tsquery syntax error


def test_the_suggest_endpoint_answers_json_with_links(reader_a, fermentation, draft):
    response = reader_a.get("/help/suggest/", {"q": "no sé cuánto fermentar"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["title"] for r in results] == ["Fermentación del cacao"]
    assert results[0]["url"] == "/help/fermentacion/"
    assert results[0]["excerpt"].startswith("Cuántos días")
    assert reader_a.get("/help/suggest/", {"q": "borrador"}).json() == {"results": []}


def test_suggestions_return_five_at_most(db):
    for number in range(7):
        make_article(title=f"Balanza {number}", slug=f"balanza-{number}")
    assert len(article_suggestions(text="balanza", prefer_language="es")) == 5
