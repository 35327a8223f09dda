// The master admin's live chat pages. The live list rebuilds itself from ws/support/staff/
// (every chat that changes comes with its summary); the console shows a chat's messages as
// they come and sends answers over the chat's socket. Without this script both pages still
// work: the list is rendered by the server and the answer form posts.
(function () {
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";

  function live(element, onData) {
    var state = document.querySelector("[data-livechat-state]");
    var delay = 1000;
    var holder = { socket: null };
    function connect() {
      var socket = new WebSocket(scheme + location.host + element.dataset.socket);
      holder.socket = socket;
      socket.onopen = function () { delay = 1000; if (state) state.textContent = "●"; };
      socket.onmessage = function (event) { onData(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        if (state) state.textContent = "";
        if (event.code >= 4400 && event.code < 4500) return;
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
    return holder;
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.append(td);
  }

  var table = document.querySelector("[data-livechat-live]");
  if (table && window.WebSocket) {
    var body = table.querySelector("tbody");
    var row = function (chat) {
      var tr = document.createElement("tr");
      tr.dataset.chat = chat.id;
      tr.className = "status-" + chat.status;
      cell(tr, chat.company);
      cell(tr, chat.requester_name + " <" + chat.requester_email + ">");
      cell(tr, chat.status_display + (chat.staff_name ? " · " + chat.staff_name : ""));
      cell(tr, chat.waiting_since);
      cell(tr, chat.preview);
      var td = document.createElement("td");
      var link = document.createElement("a");
      link.href = chat.console_url;
      link.textContent = table.dataset.openLabel;
      td.append(link);
      tr.append(td);
      return tr;
    };
    var empty = function () {
      var rows = body.querySelectorAll("tr[data-chat]").length;
      var placeholder = body.querySelector("[data-empty-row]");
      if (!rows && !placeholder) {
        var tr = document.createElement("tr");
        tr.dataset.emptyRow = "";
        var td = document.createElement("td");
        td.colSpan = 6;
        td.textContent = table.dataset.empty;
        tr.append(td);
        body.append(tr);
      } else if (rows && placeholder) {
        placeholder.remove();
      }
    };
    live(table, function (data) {
      if (data.chats) body.replaceChildren.apply(body, data.chats.map(row));
      if (data.chat) {
        var old = body.querySelector('tr[data-chat="' + data.chat.id + '"]');
        var open = data.chat.status === "waiting" || data.chat.status === "active";
        if (open && old) old.replaceWith(row(data.chat));
        else if (open) body.append(row(data.chat));
        else if (old) old.remove();
      }
      empty();
    });
  }

  var consoleElement = document.querySelector("[data-livechat-console]");
  if (consoleElement && window.WebSocket) {
    var log = consoleElement.querySelector("[data-livechat-log]");
    var status = consoleElement.querySelector("[data-livechat-status]");
    var error = consoleElement.querySelector("[data-livechat-error]");
    var form = consoleElement.querySelector("[data-livechat-form]");
    var show = function (message) {
      if (log.querySelector('li[data-id="' + message.id + '"]')) return;
      var item = document.createElement("li");
      item.dataset.id = message.id;
      item.className = message.author_kind;
      var who = document.createElement("strong");
      who.textContent = message.author_name;
      var when = document.createElement("time");
      when.dateTime = message.created_at;
      when.textContent = " " + new Date(message.created_at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
      var text = document.createElement("p");
      text.textContent = message.body;
      item.append(who, when, text);
      log.append(item);
      log.scrollTop = log.scrollHeight;
    };
    var wasOpen = Boolean(form);
    var holder = live(consoleElement, function (data) {
      (data.messages || []).forEach(show);
      if (data.message) show(data.message);
      if (data.chat) {
        status.textContent = data.chat.status_display;
        var open = data.chat.status === "waiting" || data.chat.status === "active";
        if (wasOpen && !open) location.reload();  // the page shows the ending and the ticket
      }
      error.hidden = !data.error;
      error.textContent = data.error ? data.error.detail || "" : "";
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        var field = form.querySelector("textarea");
        var socket = holder.socket;
        if (!socket || socket.readyState !== WebSocket.OPEN || !field.value.trim()) return;
        event.preventDefault();
        socket.send(JSON.stringify({ text: field.value }));
        field.value = "";
      });
    }
  }
})();
