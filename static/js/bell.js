// The bell in the header: its count goes up live when a notification arrives over the
// user's socket, and the socket comes back by itself after a network cut.
(function () {
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.WebSocket) return;
  var count = bell.querySelector("[data-bell-count]");
  var delay = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + bell.dataset.socket);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var note = JSON.parse(event.data);
      count.textContent = String((Number(count.textContent) || 0) + 1);
      bell.title = note.title || "";
      bell.classList.add("ringing");
    };
    socket.onclose = function (event) {
      if (event.code >= 4400 && event.code < 4500) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
