/* Live notices: one WebSocket per page, resuming from the newest notice the page knows.
   Updates the unread badge, announces new notices, and tells the page ("yrd:notice"). */
(function () {
  "use strict";
  var body = document.body;
  if (!body.dataset.wsNotices) return;
  var lastSeq = parseInt(body.dataset.lastSeq || "0", 10);
  var unread = parseInt(body.dataset.unread || "0", 10);
  var lang = document.documentElement.lang || "zh-hans";
  var delay = 1000;

  function setBadge(n) {
    unread = Math.max(0, n);
    document.querySelectorAll("[data-unread-badge]").forEach(function (el) {
      el.textContent = unread > 99 ? "99+" : String(unread);
      el.hidden = unread === 0;
    });
  }

  function announce(notice) {
    var region = document.getElementById("live-notices");
    if (!region) return;
    var item = document.createElement("a");
    item.className = "toast";
    item.href = notice.link || "/inbox/";
    item.textContent = lang.indexOf("en") === 0 ? notice.title_en : notice.title_zh;
    region.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  function prependToInbox(notice) {
    var list = document.getElementById("notice-list");
    if (!list || list.dataset.live !== "1") return;
    var li = document.createElement("li");
    li.className = "notice unread";
    li.dataset.seq = notice.seq;
    var a = document.createElement("a");
    a.className = "notice-title";
    a.href = notice.link || "/inbox/";
    a.textContent = lang.indexOf("en") === 0 ? notice.title_en : notice.title_zh;
    li.appendChild(a);
    list.insertBefore(li, list.firstChild);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + body.dataset.wsNotices + "?last_seq=" + lastSeq);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "briefing") {  // the leader's dashboard figures changed (briefing.js)
        document.dispatchEvent(new CustomEvent("yrd:briefing", { detail: message }));
        return;
      }
      if (message.type !== "notice" || message.seq <= lastSeq) return;
      lastSeq = message.seq;
      if (!message.read) setBadge(unread + 1);
      announce(message);
      prependToInbox(message);
      document.dispatchEvent(new CustomEvent("yrd:notice", { detail: message }));
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4403) return; // signed out: do not retry
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  setBadge(unread);
  connect();
})();
