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

  // Charts of the last hour, from the instance's series (uPlot's column layout), redrawn every 5 s.
  var CHARTS = [
    { title: "Requests/s", series: [["requestsPerSecond", "requests/s"], ["errorsPerSecond", "errors/s"]] },
    { title: "Latency (ms)", series: [["latencyP50Ms", "p50"], ["latencyP95Ms", "p95"]] },
    { title: "Time to first token (ms)", series: [["firstTokenP50Ms", "p50"]] },
    { title: "Cache hit ratio", series: [["cacheHitRatio", "hits"]] },
    { title: "Tokens/s", series: [["completionTokensPerSecond", "tokens/s"]] }
  ];
  var COLOURS = ["#2f6fdf", "#d9480f"];

  function startCharts(holder) {
    var plots = [];
    function columns(data, chart) {
      return [data.epochSeconds].concat(chart.series.map(function (s) { return data[s[0]]; }));
    }
    function width() {
      return Math.max(260, Math.floor(holder.clientWidth / (holder.clientWidth > 900 ? 2 : 1)) - 24);
    }
    function draw(data) {
      if (!window.uPlot) return;
      if (plots.length === 0) {
        holder.textContent = "";
        CHARTS.forEach(function (chart) {
          var box = document.createElement("figure");
          box.className = "chart";
          holder.appendChild(box);
          var series = [{}].concat(chart.series.map(function (s, i) {
            return { label: s[1], stroke: COLOURS[i], width: 2, spanGaps: false };
          }));
          plots.push(new uPlot({ title: chart.title, width: width(), height: 180, series: series,
            axes: [{}, { size: 56 }] }, columns(data, chart), box));
        });
      } else {
        plots.forEach(function (plot, i) { plot.setData(columns(data, CHARTS[i])); });
      }
      if (data.epochSeconds.length < 2) {
        holder.dataset.empty = "Figures appear once the bridge has been scraped twice (every 5 s).";
      } else {
        delete holder.dataset.empty;
      }
    }
    function load() {
      fetch(holder.dataset.series, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) draw(data); })
        .catch(function () { /* the next round tries again */ });
    }
    load();
    setInterval(load, 5000);
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
