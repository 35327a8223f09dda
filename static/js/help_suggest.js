// Help articles that may answer a question while it is typed (the ticket form's subject).
// <input data-suggest-articles="[url]"> feeds [data-article-suggestions]: a list of links
// (opened in a new tab, so the form is not lost), shown only when something matches.
(function () {
  "use strict";
  var DELAY_MS = 300;
  var MIN_LENGTH = 3;

  function listIn(box) {
    var list = box.querySelector("[data-article-suggestion-list]");
    if (!list) {
      list = document.createElement("ul");
      list.setAttribute("data-article-suggestion-list", "");
      box.appendChild(list);
    }
    return list;
  }

  function show(box, results) {
    var list = listIn(box);
    list.replaceChildren();
    results.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      item.appendChild(link);
      if (article.excerpt) {
        var text = document.createElement("p");
        text.className = "help";
        text.textContent = article.excerpt;
        item.appendChild(text);
      }
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }

  function bind(input) {
    var box = (input.form || document).querySelector("[data-article-suggestions]") ||
      document.querySelector("[data-article-suggestions]");
    if (!box) return;
    var url = input.getAttribute("data-suggest-articles") || "/help/suggest/";
    var timer = null;
    var pending = null;
    var last = "";

    function ask() {
      var text = input.value.trim();
      if (text === last) return;
      last = text;
      if (pending) pending.abort();
      if (text.length < MIN_LENGTH) {
        show(box, []);
        return;
      }
      pending = new AbortController();
      var query = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(text);
      fetch(query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          show(box, data.results || []);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") show(box, []);
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    if (input.value.trim()) ask();
  }

  function start() {
    document.querySelectorAll("input[data-suggest-articles]").forEach(bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
