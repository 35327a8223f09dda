// The live support chat widget: the first message starts a chat (POST /support/chat/), then
// messages go and come over the chat's socket, which comes back by itself after a network
// cut (the server sends the whole chat again on joining). Without this script the form
// posts and the page shows the chat when it comes back.
(function () {
  var widget = document.getElementById("livechat");
  if (!widget || !window.WebSocket || !window.fetch) return;
  var log = widget.querySelector("[data-livechat-log]");
  var form = widget.querySelector("[data-livechat-form]");
  var status = widget.querySelector("[data-livechat-status]");
  var error = widget.querySelector("[data-livechat-error]");
  var ticket = widget.querySelector("[data-livechat-ticket]");
  var socket = null;
  var chatId = widget.dataset.chat || "";
  var delay = 1000;

  function show(message) {
    if (log.querySelector('li[data-id="' + message.id + '"]')) return;
    var item = document.createElement("li");
    item.dataset.id = message.id;
    item.className = message.author_kind;
    if (message.author_kind !== "system") {
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = message.author_name;
      item.append(who);
    }
    var text = document.createElement("p");
    text.textContent = message.body;
    item.append(text);
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function showChat(chat) {
    var open = chat.status === "waiting" || chat.status === "active";
    status.textContent = open ? chat.status_display : "";
    if (chat.ticket) {
      var link = document.createElement("a");
      link.href = chat.ticket.url;
      link.textContent = widget.dataset.ticketLabel + " " + chat.ticket.number;
      ticket.replaceChildren(link);
    }
    if (!open) {
      chatId = "";
      if (socket) { var ended = socket; socket = null; ended.close(); }
    }
  }

  function connect() {
    if (!chatId) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var current = new WebSocket(scheme + location.host + "/ws/support/chats/" + chatId + "/");
    socket = current;
    current.onopen = function () { delay = 1000; };
    current.onmessage = function (event) {
      var data = JSON.parse(event.data);
      (data.messages || []).forEach(show);
      if (data.message) show(data.message);
      if (data.chat) showChat(data.chat);
      error.textContent = data.error ? data.error.detail || "" : "";
    };
    current.onclose = function (event) {
      if (socket !== current) return;  // ended on purpose
      socket = null;
      if (event.code >= 4400 && event.code < 4500) return;  // refused: no use retrying
      status.textContent = widget.dataset.reconnecting;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  function start(body) {
    var data = new FormData(form);
    data.set("body", body);
    return fetch(widget.dataset.start, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (payload) {
        if (!response.ok) { error.textContent = payload.detail || ""; return; }
        error.textContent = "";
        if (String(payload.chat.id) !== chatId) { log.replaceChildren(); ticket.replaceChildren(); }
        payload.messages.forEach(show);
        showChat(payload.chat);
        chatId = String(payload.chat.id);
        if (!socket) connect();
      });
    });
  }

  form && form.addEventListener("submit", function (event) {
    var field = form.querySelector("textarea");
    var body = field.value.trim();
    event.preventDefault();
    if (!body) return;
    field.value = "";
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ text: body }));
    } else {
      start(body);
    }
  });
  connect();
})();
