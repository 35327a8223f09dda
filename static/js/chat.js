// The contract chat panel: live messages over the websocket, sending through it, catching
// up after a network cut (GET ...?after=<last id>) and reconnecting by itself. Without this
// script the panel still shows the history and the form posts the message.
(function () {
  var panel = document.querySelector("section.chat[data-socket]");
  if (!panel || !window.WebSocket) return;
  var log = panel.querySelector("[data-log]");
  var form = panel.querySelector("[data-form]");
  var field = form.querySelector("textarea");
  var status = panel.querySelector("[data-status]");
  var socket = null;
  var delay = 1000;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function lastId() {
    var items = log.querySelectorAll("li[data-id]");
    return items.length ? Number(items[items.length - 1].dataset.id) : 0;
  }

  function show(message) {
    if (log.querySelector('li[data-id="' + message.id + '"]')) return;
    var empty = log.querySelector("[data-empty]");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.dataset.id = message.id;
    if (message.author === panel.dataset.me) item.className = "mine";
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.author_name || message.author || "";
    var when = document.createElement("time");
    when.dateTime = message.created_at;
    when.textContent = new Date(message.created_at).toLocaleString(document.documentElement.lang);
    var text = document.createElement("p");
    text.textContent = message.text;
    item.append(who, " ", when, text);
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function markRead() {
    var id = lastId();
    if (!id) return;
    fetch(panel.dataset.read, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ up_to: id }),
      credentials: "same-origin",
    });
    var badge = panel.querySelector("[data-unread]");
    if (badge) badge.remove();
  }

  function catchUp() {
    return fetch(panel.dataset.missed + "?after=" + lastId(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (messages) { messages.forEach(show); });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + panel.dataset.socket);
    socket.onopen = function () {
      delay = 1000;
      status.textContent = "";
      panel.classList.add("live");
      catchUp().then(markRead);
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.message) { show(data.message); markRead(); }
      if (data.error) status.textContent = data.error.detail || "";
    };
    socket.onclose = function (event) {
      panel.classList.remove("live");
      if (event.code >= 4400 && event.code < 4500) return;  // refused: no use retrying
      status.textContent = panel.dataset.reconnecting || "…";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  form.addEventListener("submit", function (event) {
    if (!socket || socket.readyState !== WebSocket.OPEN || !field.value.trim()) return;
    event.preventDefault();
    socket.send(JSON.stringify({ text: field.value }));
    field.value = "";
  });
  connect();
})();
