// Searchlight console: draws the charts of the pages (specs in data-chart, built by
// console/charts.py) with ECharts, and makes each bar or point a link to the alerts
// behind it. No inline script anywhere (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  function option(spec, dark) {
    var horizontal = !!spec.horizontal;
    var category = { type: "category", data: spec.categories,
                     axisLabel: { interval: 0, rotate: horizontal ? 0 : (spec.categories.length > 5 ? 30 : 0) } };
    var value = { type: "value", minInterval: 1 };
    if (spec.max) { value.max = spec.max; }
    var series = spec.series.map(function (s) {
      var out = { name: s.name, type: spec.type, data: s.data, cursor: "pointer",
                  emphasis: { focus: "series" } };
      if (spec.stacked) { out.stack = "all"; }
      if (s.color) { out.itemStyle = { color: s.color }; out.lineStyle = { color: s.color }; }
      if (spec.type === "line") { out.connectNulls = false; out.symbolSize = 8; }
      return out;
    });
    return {
      backgroundColor: dark ? "transparent" : undefined,
      tooltip: { trigger: spec.type === "line" ? "item" : "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series,
      animation: false
    };
  }

  function draw(el) {
    if (typeof echarts === "undefined") { return; }
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var dark = document.body.classList.contains("wall");
    var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    chart.setOption(option(spec, dark));
    chart.on("click", function (p) {
      var s = spec.series[p.seriesIndex];
      var link = s && s.links && s.links[p.dataIndex];
      if (link) { window.location.assign(link); }
    });
    el.setAttribute("data-drawn", "1");
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  function wire(root) {
    drawAll(root);
    (root || document).querySelectorAll("[data-fullscreen]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (document.documentElement.requestFullscreen) {
          document.documentElement.requestFullscreen();
        }
      });
    });
    (root || document).querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.requestSubmit(); });
    });
    (root || document).querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  }

  if (window.htmx) {
    htmx.onLoad(function (el) { wire(el === document.body ? document : el); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  }
  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) { c.resize(); }
    });
  });
})();
