/* Briefing dashboard: draw each panel's chart from the figures in its JSON script (the same
   numbers as its table view), again after htmx swaps the panels in (a notice arrived). */
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

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "briefing-panels") draw(event.detail.target);
  });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
