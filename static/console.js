// The web console's behaviour beyond htmx: local times, a log that follows, charts, error banners.
// No inline script anywhere (the Content-Security-Policy forbids it): everything starts from here.
(function () {
  "use strict";

  function age(seconds) {
    if (seconds < 60) return Math.floor(seconds) + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
    return Math.floor(seconds / 86400) + " d";
  }

  // Times come as ISO instants; people read them in their own zone.
  function formatTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var seconds = Math.max(0, (Date.now() - at.getTime()) / 1000);
      var format = el.dataset.format;
      el.title = at.toLocaleString();
      if (format === "age") el.textContent = age(seconds);
      else if (format === "ago") el.textContent = age(seconds) + " ago";
      else el.textContent = at.toLocaleString();
    });
  }

  function banner(text) {
    var main = document.getElementById("main");
    if (!main) return;
    var flash = document.getElementById("flash");
    if (!flash) {
      flash = document.createElement("p");
      flash.id = "flash";
      flash.className = "error";
      flash.setAttribute("role", "alert");
      main.prepend(flash);
    }
    flash.textContent = text;
  }

  // The log follows new lines while the reader is at its end; scrolled up, it stays put.
  var logWasAtEnd = true;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var log = e.detail.target;
    if (log && log.id === "log") logWasAtEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var log = e.detail.target;
    if (log && log.id === "log" && logWasAtEnd) log.scrollTop = log.scrollHeight;
  });
  document.addEventListener("htmx:load", function (e) { formatTimes(e.detail.elt); });
  document.addEventListener("htmx:responseError", function (e) {
    banner(e.detail.xhr.responseText || ("The console answered " + e.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    banner("The console did not answer: is it still running?");
  });

  // Charts of the last hour, from the instance's series (uPlot's column layout), redrawn as often as the
  // console reads the bridge's metrics (data-every-ms, its metrics.scrape_interval_ms).
  var INSTANCE_CHARTS = [
    { title: "Requests/s", series: [["requestsPerSecond", "requests/s"], ["errorsPerSecond", "errors/s"]] },
    { title: "Latency (ms)", series: [["latencyP50Ms", "p50"], ["latencyP95Ms", "p95"]] },
    { title: "Time to first token (ms)", series: [["firstTokenP50Ms", "p50"]] },
    { title: "Cache hit ratio", series: [["cacheHitRatio", "hits"]] },
    { title: "Tokens/s", series: [["completionTokensPerSecond", "tokens/s"]] }
  ];
  // The dashboard's chart of the whole cluster: nginx's own answers are in its totals and shown apart too.
  var CLUSTER_CHARTS = [
    { title: "Requests/s, all instances", series: [["requestsPerSecond", "requests/s"], ["errorsPerSecond", "errors/s"],
      ["nginxErrorsPerSecond", "of which nginx answered"]] }
  ];
  var COLOURS = ["#2f6fdf", "#d9480f", "#8a5cd1"];

  function clock(u, splits) {
    return splits.map(function (s) {
      // 24-hour labels are short enough for a tick a minute at phone width
      return new Date(s * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    });
  }

  // --- Empty charts (issue 21, item 19): the time axis always ends now and spans at least five minutes,
  // so a chart without points shows the last minutes, not 1970; the value axis starts at 0 and has room
  // even when every value is 0 or none is there; a chart with no value at all says "No traffic yet"; the
  // right padding leaves room for half of the last time label ("07:38"), which is centred on its tick.
  var MIN_SPAN_S = 300;
  var RIGHT_PAD_PX = 32;
  // the labels say minutes: ticks fall on whole minutes, never twice on the same one
  var MINUTE_TICKS = [60, 120, 300, 600, 900, 1800, 3600];

  // From the data itself: uPlot widens a single point's range to a day, which would put the end in the future.
  function timeRange(u) {
    var times = u.data[0] || [];
    var now = Date.now() / 1000;
    var end = times.length ? Math.max(times[times.length - 1], now) : now;
    return [Math.min(times.length ? times[0] : end, end - MIN_SPAN_S), end];
  }

  function valueRange(u, min, max) {
    if (min == null || max == null) return [0, 1];
    return [Math.min(0, min), max > 0 ? max * 1.1 : 1];
  }

  // The axes are drawn on a canvas, which CSS does not reach: they take the page's colours (light or dark).
  function themeColours() {
    var css = getComputedStyle(document.documentElement);
    return { text: css.getPropertyValue("--muted").trim() || "#555", line: css.getPropertyValue("--line").trim() || "#ddd" };
  }

  function hasValues(columns) {
    return columns.slice(1).some(function (column) {
      return (column || []).some(function (v) { return v !== null && v !== undefined; });
    });
  }
  // --- end of empty charts

  function startCharts(holder) {
    var CHARTS = holder.dataset.charts === "cluster" ? CLUSTER_CHARTS : INSTANCE_CHARTS;
    var plots = [];
    var every = Math.max(1000, Number(holder.dataset.everyMs) || 5000);
    function columns(data, chart) {
      return [data.epochSeconds].concat(chart.series.map(function (s) { return data[s[0]]; }));
    }
    var note = document.createElement("p");
    note.className = "chart-note";
    function width() {
      var box = holder.querySelector(".chart");
      return Math.max(240, (box ? box.clientWidth : holder.clientWidth) - 10);
    }
    function draw(data) {
      if (!window.uPlot) return;
      if (plots.length === 0) {
        holder.textContent = "";
        holder.appendChild(note);
        var boxes = CHARTS.map(function () {
          var box = document.createElement("figure");
          box.className = "chart";
          holder.appendChild(box);
          return box;
        });
        CHARTS.forEach(function (chart, n) {
          var box = boxes[n];
          var series = [{}].concat(chart.series.map(function (s, i) {
            return { label: s[1], stroke: COLOURS[i], width: 2, spanGaps: false, points: { show: true, size: 5 } };
          }));
          var ink = themeColours();
          var plot = new uPlot({ title: chart.title, width: width(), height: 180, series: series,
            legend: { live: false },
            axes: [{ space: 45, incrs: MINUTE_TICKS, values: clock, stroke: ink.text, grid: { stroke: ink.line },
              ticks: { stroke: ink.line } },
              { size: 56, stroke: ink.text, grid: { stroke: ink.line }, ticks: { stroke: ink.line } }],
            padding: [null, RIGHT_PAD_PX, null, null],
            scales: { x: { time: true, range: timeRange }, y: { range: valueRange } }
          }, columns(data, chart), box);
          box.uplot = plot;
          var empty = document.createElement("p");
          empty.className = "chart-empty";
          empty.textContent = "No traffic yet";
          box.appendChild(empty);
          plots.push(plot);
        });
      } else {
        plots.forEach(function (plot, i) { plot.setData(columns(data, CHARTS[i])); });
      }
      plots.forEach(function (plot, i) {
        plot.root.parentNode.querySelector(".chart-empty").hidden = hasValues(columns(data, CHARTS[i]));
      });
      holder.dataset.points = data.epochSeconds.length;
      note.textContent = data.epochSeconds.length < 2
        ? (CHARTS === CLUSTER_CHARTS ? "The chart fills in once the console has read the bridges' metrics twice"
          : "The charts fill in once the console has read the bridge's metrics twice") + " (every " + every / 1000 + " s)."
        : "";
      note.hidden = data.epochSeconds.length >= 2;
    }
    function load() {
      fetch(holder.dataset.series, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) draw(data); })
        .catch(function () { /* the next round tries again */ });
    }
    load();
    setInterval(load, every);
    window.addEventListener("resize", function () {
      plots.forEach(function (plot) { plot.setSize({ width: width(), height: 180 }); });
    });
  }

  // A plain form with data-confirm asks first (Rollback, Revoke): the page works without this, minus the question.
  document.addEventListener("submit", function (e) {
    var question = e.target.dataset && e.target.dataset.confirm;
    if (question && !window.confirm(question)) e.preventDefault();
  });

  // A new API token is selected for copying as soon as it is shown.
  document.addEventListener("DOMContentLoaded", function () {
    var token = document.getElementById("new-token");
    if (token) token.select();
  });

  document.addEventListener("DOMContentLoaded", function () {
    formatTimes(document);
    var charts = document.getElementById("charts");
    if (charts) startCharts(charts);
    setInterval(function () { formatTimes(document); }, 10000);
  });
})();
