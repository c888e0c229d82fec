// IOC dashboard: refresh the figures from the API every few seconds, draw the 12-month trend with uPlot.
(function () {
  "use strict";
  var root = document.getElementById("ioc");
  if (!root) return;
  var REFRESH_MS = 5000;

  function fmt(value) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function set(name, text) {
    var el = root.querySelector('[data-ioc="' + name + '"]');
    if (el) el.textContent = text;
  }
  function refresh() {
    fetch(root.dataset.summaryUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        set("total", fmt(data.total));
        set("received", data.counts.received.toLocaleString("vi-VN"));
        set("on_time", data.counts.on_time.toLocaleString("vi-VN"));
        set("late", data.counts.late.toLocaleString("vi-VN"));
        data.groups.forEach(function (g) { set("group-" + g.code, fmt(g.points)); });
        set("refreshed", new Date().toLocaleTimeString("vi-VN"));
        root.dataset.loaded = "1";
      })
      .catch(function () {});
  }
  function percent(v) { return v === null ? null : Math.round(v * 1000) / 10; }
  function drawTrend() {
    var box = document.getElementById("ioc-trend");
    if (!box || !window.uPlot) return;
    var labels = JSON.parse(box.dataset.labels);
    fetch(root.dataset.trendUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var months = data.months;
        var xs = months.map(function (m) { return Date.parse(m.period.start) / 1000; });
        var series = [xs,
          months.map(function (m) { return percent(m.on_time_rate); }),
          months.map(function (m) { return percent(m.online_rate); }),
          months.map(function (m) { return percent(m.online_payment_rate); })];
        var opts = {
          width: Math.min(box.clientWidth || 800, 1000), height: 300,
          scales: { y: { range: [0, 100] } },
          series: [{}, { label: labels.on_time, stroke: "#1a7f37", width: 2 },
            { label: labels.online, stroke: "#0969da", width: 2 },
            { label: labels.payment, stroke: "#bf8700", width: 2 }],
        };
        box.textContent = "";
        new window.uPlot(opts, series, box);
      })
      .catch(function () {});
  }
  refresh();
  drawTrend();
  window.setInterval(refresh, REFRESH_MS);
})();
