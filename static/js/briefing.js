/* Briefing dashboard: draw each panel's chart from the figures in its JSON script (the same
   numbers as its table view), again after htmx swaps the panels in. The panels are re-read when
   a notice arrives, every minute, when the socket says the figures were refreshed (a
   {"type": "briefing"} message, which notices.js hands over as "yrd:briefing"), and a few
   seconds after stale figures were shown. */
(function () {
  "use strict";
  var charts = [];

  function draw(root) {
    if (!window.echarts) return;
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      option.color = ["#b3131b", "#0969da", "#9a6700", "#1a7f37", "#8250df", "#57606a", "#bf3989"];
      option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
      option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      charts.push(chart);
    });
  }

  function refresh() {
    var panels = document.getElementById("briefing-panels");
    if (panels && window.htmx) window.htmx.trigger(panels, "yrd:briefing-refresh");
  }

  // Figures marked stale are being recomputed: read them again shortly, in case the socket
  // cannot say when they are ready (the embedded default's worker has no way to ring it).
  var staleTimer = null;
  function recheckIfStale(root) {
    clearTimeout(staleTimer);
    if (root.querySelector("[data-stale]")) staleTimer = setTimeout(refresh, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); recheckIfStale(document); });
  document.addEventListener("yrd:briefing", refresh);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "briefing-panels") return;
    draw(event.detail.target);
    recheckIfStale(event.detail.target);
  });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
