"""Markdown to safe HTML, and the text forms search needs.

Markdown lets raw HTML through, so whatever it produces is cleaned by nh3 (the Ammonia
sanitizer) against a short list of tags and attributes: no ``<script>``, no ``on*``
attributes, no ``style``, and links only to http(s), mailto and the site's own paths.
"""

import html as html_lib
import re
import unicodedata

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "dl", "dt", "dd", "sup", "sub", "abbr", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


def markdown_to_html(text: str) -> str:
    html = markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html")
    # An article's headings start at h2: the page's title is its h1.
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(strip_tags(html))).strip()


def excerpt(html: str, words: int = 30) -> str:
    return Truncator(plain_text(html)).words(words, truncate="…")


def fold_accents(text: str) -> str:
    """ "Fermentación" -> "Fermentacion": what the unaccent dictionary does, in Python."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char))
