/* Supplies pages: the shortage board's charts and live refresh, the flows Sankey, the pledge
   forms' ready date (production only) and the new request's lines. Everything works without
   it; the server checks everything again. */
(function () {
  "use strict";
  var COLORS = ["#b3131b", "#d4a72c", "#0969da", "#1a7f37", "#8250df", "#57606a"];
  var charts = [];

  function style(option) {
    option.color = COLORS;
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return option;
  }

  function drawBoard(root) {
    if (!window.echarts) return;
    var source = root.querySelector("#board-charts-data");
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    if (!source) return;
    JSON.parse(source.textContent).forEach(function (entry) {
      var el = document.getElementById(entry.id);
      if (!el) return;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(style(entry.option));
      charts.push(chart);
    });
  }

  function drawFlows() {
    var el = document.querySelector("[data-flows-chart]");
    var source = document.getElementById("flows-chart-data");
    if (!el || !source || !window.echarts) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(style(JSON.parse(source.textContent)));
    charts.push(chart);
  }

  /* The board re-reads itself every 30 s and when a notice arrives, unless the user is in the
     middle of a form (typing, typed and not sent, or looking at a refusal). */
  function boardIdle(live) {
    var active = document.activeElement;
    if (active && live.contains(active) && active.matches("input, select, textarea")) return false;
    return !live.querySelector("form[data-dirty], form .error");
  }

  function setupBoard(live) {
    var refresh = function () {
      if (boardIdle(live) && window.htmx) window.htmx.trigger(live, "yrd:board-refresh");
    };
    setInterval(refresh, 30000);
    var pending = null;
    document.addEventListener("yrd:notice", function () {
      clearTimeout(pending);
      pending = setTimeout(refresh, 500);
    });
    live.addEventListener("input", function (event) {
      if (event.target.form) event.target.form.dataset.dirty = "1";
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === live) { drawBoard(live); setupPledgeRows(live); }
    });
  }

  /* A pledge from stock has no ready date: the date field is for production only. */
  function setupPledgeRows(root) {
    root.querySelectorAll("[data-pledge-row]").forEach(function (row) {
      var source = row.querySelector("[data-pledge-source]");
      var ready = row.querySelector("[data-ready-on]");
      if (!source || !ready) return;
      var sync = function () {
        var production = source.value.indexOf("capacity:") === 0;
        ready.disabled = !production;
        ready.required = production;
      };
      source.addEventListener("change", sync);
      sync();
    });
  }

  /* The new request's lines: add and remove rows, the unit shown beside the item. */
  function setupRequestLines(form) {
    var body = form.querySelector("[data-lines]");
    var template = document.getElementById("request-line-template");
    var unit = function (row) {
      var select = row.querySelector("[data-line-item]");
      var cell = row.querySelector("[data-line-unit]");
      if (!select || !cell) return;
      var option = select.options[select.selectedIndex];
      cell.textContent = option && option.dataset.unit ? option.dataset.unit : "";
    };
    body.querySelectorAll("[data-line-row]").forEach(unit);
    body.addEventListener("change", function (event) {
      if (event.target.matches("[data-line-item]")) unit(event.target.closest("[data-line-row]"));
    });
    body.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-line]");
      if (!remove) return;
      event.preventDefault();
      var rows = body.querySelectorAll("[data-line-row]");
      var row = remove.closest("[data-line-row]");
      if (rows.length > 1) row.remove();
      else row.querySelectorAll("input, select").forEach(function (el) { el.value = ""; });
    });
    var add = form.querySelector("[data-add-line]");
    if (add && template) {
      add.addEventListener("click", function (event) {
        event.preventDefault();
        var index = parseInt(body.dataset.next || "0", 10);
        body.dataset.next = String(index + 1);
        var html = template.innerHTML.replace(/__index__/g, String(index)).replace(/__number__/g, String(index + 1));
        body.insertAdjacentHTML("beforeend", html);
        var row = body.lastElementChild;
        unit(row);
        var first = row.querySelector("select, input");
        if (first) first.focus();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var live = document.querySelector("[data-board-live]");
    if (live) { drawBoard(live); setupBoard(live); }
    drawFlows();
    setupPledgeRows(document);
    var request = document.querySelector("[data-request-form]");
    if (request) setupRequestLines(request);
  });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
