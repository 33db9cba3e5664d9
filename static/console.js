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
      else if (format === "stamp") el.textContent = at.toLocaleString(undefined, { month: "short", day: "numeric",
        hour: "2-digit", minute: "2-digit", second: "2-digit" });
      else if (format === "in") el.textContent = at.getTime() > Date.now() ? "in " + age((at.getTime() - Date.now()) / 1000) : "expired";
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
  var RIGHT_PAD_PX = 48; // half a label (about 20 px) with room for a canvas wider than its box and a larger font
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

  // ---- Dashboard: rows updated in place (issue 21: live updates, many instances) ----
  // A poll (#live-poll) sends what the page shows and gets back only what changed, swapped out of band
  // row by row. What such a swap would lose is kept here: the focus (the same control of the new row),
  // a ticked box, and, for screen readers, one short sentence about what changed (#announce), never the table.
  var pendingFocus = null;
  var announcements = [];

  function focusables(root) {
    return Array.prototype.slice.call(root.querySelectorAll("a[href], button, input:not([type=hidden]), select"));
  }

  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var old = e.detail.target;
    var fresh = e.detail.fragment && e.detail.fragment.firstElementChild;
    if (!old || !fresh || !old.id || fresh.id !== old.id) return; // only a replacement, not an append or a delete
    var active = document.activeElement;
    if (active && active !== document.body && old.contains(active)) {
      var holder = (active.closest("tr[id]") && old.contains(active.closest("tr[id]"))) ? active.closest("tr[id]") : old;
      pendingFocus = { id: holder.id, index: focusables(holder).indexOf(active) };
    }
    if (old.id === "instance-rows") { // a whole new body (a new search over many rows): the ticks stay
      var ticked = {};
      old.querySelectorAll("input[name=id]:checked").forEach(function (box) { ticked[box.value] = true; });
      fresh.querySelectorAll("input[name=id]").forEach(function (box) { if (ticked[box.value]) box.checked = true; });
    }
    if (old.dataset.name && fresh.dataset.name) {
      var box = old.querySelector("input[name=id]");
      var freshBox = fresh.querySelector("input[name=id]");
      if (box && freshBox) freshBox.checked = box.checked;
      if (old.dataset.health !== fresh.dataset.health) {
        announcements.push(fresh.dataset.name + " is now " + fresh.dataset.health);
      } else if (old.dataset.state !== fresh.dataset.state) {
        announcements.push(fresh.dataset.name + " is now " + fresh.dataset.state.toLowerCase());
      }
    }
  });

  // Moves rows into the server's order, moving as few as it can, and keeps the focus where it was.
  function reorder(ids) {
    var body = document.getElementById("instance-rows");
    if (!body) return;
    var active = document.activeElement;
    var next = body.firstElementChild;
    ids.forEach(function (id) {
      var row = document.getElementById("instance-" + id);
      if (!row) return;
      if (row === next) next = next.nextElementSibling;
      else body.insertBefore(row, next);
    });
    if (active && active !== document.activeElement && document.body.contains(active)) active.focus({ preventScroll: true });
  }

  function selection() {
    var boxes = document.querySelectorAll("#instance-rows input[name=id]");
    var picked = [];
    boxes.forEach(function (box) { if (box.checked) picked.push(box.closest("tr").dataset.name); });
    var count = document.getElementById("selected");
    if (count) count.textContent = picked.length + " selected";
    document.querySelectorAll("#bulk button").forEach(function (b) { b.disabled = picked.length === 0; });
    var all = document.getElementById("pick-all");
    if (all) {
      all.checked = boxes.length > 0 && picked.length === boxes.length;
      all.indeterminate = picked.length > 0 && picked.length < boxes.length;
    }
    return picked;
  }

  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id !== "live-poll") return;
    var order = document.getElementById("row-order");
    if (order && order.dataset.ids) {
      reorder(order.dataset.ids.split(" "));
      delete order.dataset.ids; // applied: a later poll that sends no order must not apply it again
    }
    if (pendingFocus) {
      var row = document.getElementById(pendingFocus.id);
      var controls = row ? focusables(row) : [];
      var target = controls[pendingFocus.index] || controls[0];
      if (target && document.activeElement === document.body) target.focus({ preventScroll: true });
      pendingFocus = null;
    }
    if (announcements.length) {
      var region = document.getElementById("announce");
      var said = announcements.slice(0, 3).join(". ");
      if (announcements.length > 3) said += ", and " + (announcements.length - 3) + " more changes";
      if (region) region.textContent = said + ".";
      announcements = [];
    }
    selection();
  });

  document.addEventListener("change", function (e) {
    if (e.target.id === "pick-all") {
      document.querySelectorAll("#instance-rows input[name=id]").forEach(function (box) { box.checked = e.target.checked; });
    }
    if (e.target.id === "pick-all" || e.target.name === "id") selection();
  });

  // A bulk button asks once, naming the instances; nothing selected, nothing asked or sent.
  document.addEventListener("htmx:confirm", function (e) {
    var verb = e.detail.elt.dataset && e.detail.elt.dataset.bulk;
    if (!verb) return;
    e.preventDefault();
    var names = selection();
    if (names.length === 0) return;
    var listed = names.slice(0, 12).join(", ") + (names.length > 12 ? " and " + (names.length - 12) + " more" : "");
    var question = verb + " " + names.length + (names.length === 1 ? " instance: " : " instances: ") + listed + "?";
    if (verb === "Remove") question += " Each is drained (marked down in nginx), its bridge is stopped, and it is deleted.";
    if (window.confirm(question)) e.detail.issueRequest(true);
  });

  // The address keeps the search, filters and sort, so that a reload or a shared link shows the same rows.
  function keepViewInAddress(e) {
    if (!e.target.closest || !e.target.closest("#filters")) return;
    var query = new URLSearchParams();
    ["q", "state", "health", "host", "sort"].forEach(function (name) {
      var field = document.getElementById(name);
      if (field && field.value && !(name === "sort" && field.value === "problems")) query.set(name, field.value);
    });
    var search = query.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }
  document.addEventListener("input", keepViewInAddress);
  document.addEventListener("change", keepViewInAddress);

  // Enter in the search box polls at once rather than reloading the page (which works too, without script).
  document.addEventListener("submit", function (e) {
    if (e.target.id !== "dashboard" || !window.htmx) return;
    e.preventDefault();
    window.htmx.trigger(document.body, "live-refresh");
  });

  // Copy buttons (the client endpoint): the clipboard where the browser allows it, else the text selected.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-copy]");
    if (!button) return;
    function said(word) {
      button.textContent = word;
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    }
    function select() {
      var code = button.parentElement.querySelector("code");
      if (!code) return;
      var range = document.createRange();
      range.selectNodeContents(code);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      said(document.execCommand && document.execCommand("copy") ? "Copied" : "Selected");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(button.dataset.copy).then(function () { said("Copied"); }, select);
    } else {
      select();
    }
  });

  // The Hosts page swaps its table every few seconds; the live region says which host changed state.
  var hostStates = null;
  function statesOfHosts() {
    var states = {};
    document.querySelectorAll("#host-rows tr[data-name]").forEach(function (tr) { states[tr.dataset.name] = tr.dataset.state; });
    return states;
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "hosts-live") hostStates = statesOfHosts();
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!hostStates || !e.detail.target || e.detail.target.id !== "hosts-live") return;
    var now = statesOfHosts();
    var said = Object.keys(now).filter(function (name) { return hostStates[name] && hostStates[name] !== now[name]; })
      .map(function (name) { return name + " is now " + now[name]; });
    Object.keys(now).forEach(function (name) { if (!hostStates[name]) said.push(name + " joined: " + now[name]); });
    hostStates = null;
    var region = document.getElementById("announce");
    if (region && said.length) region.textContent = said.join(". ") + ".";
  });

  document.addEventListener("DOMContentLoaded", function () {
    formatTimes(document);
    var charts = document.getElementById("charts");
    if (charts) startCharts(charts);
    setInterval(function () { formatTimes(document); }, 10000);
  });
})();

// Forms and filters (issue 21): a refused form shows every field's error at once; the page takes the
// reader to the first one (scrolled into view and focused), wherever it is on the page. The events
// filter reads its times in the browser's zone.
(function () {
  "use strict";

  function firstError() {
    var field = document.querySelector("#main form [aria-invalid='true']");
    if (field) return field;
    return document.querySelector("#main form [role='alert']");
  }

  // The charts above a form (or an anchor such as #settings) fill in after the page loads: what the
  // reader was taken to stays in view while they grow, until the reader scrolls, clicks or types.
  function keepInView(target, block) {
    var main = document.getElementById("main");
    if (!window.ResizeObserver || !main) return;
    var keep = new ResizeObserver(function () { target.scrollIntoView({ block: block }); });
    var taken = ["wheel", "touchstart", "mousedown", "keydown"];
    function stop() {
      keep.disconnect();
      taken.forEach(function (type) { window.removeEventListener(type, stop, true); });
    }
    taken.forEach(function (type) { window.addEventListener(type, stop, true); });
    keep.observe(main);
    setTimeout(stop, 60000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var problem = firstError();
    if (problem) {
      problem.scrollIntoView({ block: "center" });
      if (problem.matches("input, select, textarea")) {
        problem.focus({ preventScroll: true });
      } else {
        problem.setAttribute("tabindex", "-1");
        problem.focus({ preventScroll: true });
      }
      keepInView(problem, "center");
    } else if (location.hash.length > 1) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) keepInView(target, "start");
    }
    document.querySelectorAll("input[data-timezone-offset]").forEach(function (tz) {
      tz.value = String(-new Date().getTimezoneOffset());
    });
  });
})();

// Logs (issue 24): Follow polls the rows newer than the newest shown (the cursor the answer's
// X-Logs-Cursor gives) and puts them on top; the rows are the console's own HTML, in which every text of a
// log was escaped. A click anywhere on a row opens its record in the panel, as its id's link does.
(function () {
  "use strict";

  var EVERY_MS = 2000;
  var KEEP_ROWS = 1000;

  function showTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (!isNaN(at)) {
        el.textContent = at.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
          second: "2-digit" });
        el.title = at.toLocaleString();
      }
    });
  }

  // A row's time, from its key SOURCE|ORIGIN|MILLIS~ID.
  function millis(tr) {
    var key = tr.dataset.key || "";
    return parseInt(key.slice(key.lastIndexOf("|") + 1), 10) || 0;
  }

  function follow(toggle) {
    var rows = document.getElementById("request-rows");
    var note = document.getElementById("follow-note");
    var timer = null;
    var busy = false;
    function poll() {
      if (busy) return;
      busy = true;
      var url = toggle.dataset.rows + (toggle.dataset.rows.indexOf("?") === toggle.dataset.rows.length - 1 ? "" : "&")
        + "after=" + encodeURIComponent(toggle.dataset.cursor || "0~");
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) {
          if (!r.ok) throw new Error("The console answered " + r.status);
          var cursor = r.headers.get("X-Logs-Cursor");
          return r.text().then(function (html) { return { cursor: cursor, html: html }; });
        })
        .then(function (answer) {
          if (answer.cursor) toggle.dataset.cursor = answer.cursor;
          var holder = document.createElement("tbody");
          holder.innerHTML = answer.html;
          var fresh = Array.prototype.slice.call(holder.querySelectorAll("tr"));
          var seen = {};
          rows.querySelectorAll("tr[data-key]").forEach(function (tr) { seen[tr.dataset.key] = true; });
          fresh = fresh.filter(function (tr) { return !seen[tr.dataset.key]; });
          // newest first: a line written late (nginx's, stamped to the second) goes where its time puts it
          fresh.forEach(function (tr) {
            tr.classList.add("fresh");
            var later = Array.prototype.find.call(rows.children, function (row) { return millis(row) < millis(tr); });
            rows.insertBefore(tr, later || null);
          });
          if (fresh.length) {
            var empty = document.getElementById("no-requests");
            if (empty) empty.remove();
            showTimes(rows);
            if (window.htmx) fresh.forEach(function (tr) { window.htmx.process(tr); });
            while (rows.children.length > KEEP_ROWS) rows.lastElementChild.remove();
          }
          note.textContent = "Following: " + (fresh.length ? fresh.length + " new at " : "checked at ") + new Date().toLocaleTimeString();
        })
        .catch(function (e) { note.textContent = "Following paused: " + e.message + "; trying again."; })
        .then(function () { busy = false; });
    }
    toggle.addEventListener("change", function () {
      if (toggle.checked) {
        poll();
        timer = setInterval(poll, EVERY_MS);
      } else {
        clearInterval(timer);
        note.textContent = "Not following.";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("follow");
    if (toggle) follow(toggle);
  });

  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("#request-rows tr");
    if (!row || e.target.closest("a, button, input, select")) return;
    var link = row.querySelector("a.request-id");
    if (link) link.click();
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("#request-rows a.request-id");
    if (!link) return;
    document.querySelectorAll("#request-rows tr.chosen").forEach(function (tr) { tr.classList.remove("chosen"); });
    link.closest("tr").classList.add("chosen");
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "record") e.detail.target.scrollIntoView({ block: "nearest" });
  });
})();

// The Usage page (issue 24): a bar chart per day of requests and of tokens, from the days the page
// carries (data-days, uPlot's column layout), drawn as the dashboard's charts are, in the page's colours.
(function () {
  "use strict";

  var DAY = 86400;
  var CHARTS = [
    { title: "Requests per day", series: [["requests", "requests", "#2f6fdf"], ["errors", "errors", "#d9480f"]] },
    { title: "Tokens per day", series: [["promptTokens", "prompt", "#8a5cd1"], ["completionTokens", "completion", "#2f9e44"]] }
  ];

  function ink() {
    var css = getComputedStyle(document.documentElement);
    return { text: css.getPropertyValue("--muted").trim() || "#555", line: css.getPropertyValue("--line").trim() || "#ddd" };
  }

  function dayLabel(seconds) {
    return new Date(seconds * 1000).toLocaleDateString([], { month: "short", day: "numeric", timeZone: "UTC" });
  }

  function compact(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(n >= 1e10 ? 0 : 1) + "G";
    if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + "M";
    if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e4 ? 0 : 1) + "k";
    return String(n);
  }

  function start(holder) {
    if (!window.uPlot) return;
    var data = JSON.parse(holder.dataset.days);
    var days = data.epochSeconds;
    holder.textContent = "";
    var plots = [];
    function width() {
      var box = holder.querySelector(".chart");
      return Math.max(240, (box ? box.clientWidth : holder.clientWidth) - 10);
    }
    var colours = ink();
    CHARTS.forEach(function (chart) {
      var box = document.createElement("figure");
      box.className = "chart";
      holder.appendChild(box);
      var columns = [days].concat(chart.series.map(function (s) { return data[s[0]]; }));
      var series = [{ value: function (u, v) { return v == null ? "" : dayLabel(v); } }].concat(chart.series.map(function (s, i) {
        return { label: s[1], stroke: s[2], fill: s[2] + "cc", width: 0, points: { show: false },
          paths: uPlot.paths.bars({ size: [0.36, 48], align: i === 0 ? -1 : 1 }) };
      }));
      var plot = new uPlot({ title: chart.title, width: width(), height: 200, series: series,
        legend: { live: false },
        axes: [{ space: 48, incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 182 * DAY, 365 * DAY],
          values: function (u, splits) { return splits.map(dayLabel); }, stroke: colours.text,
          grid: { show: false }, ticks: { stroke: colours.line } },
          { size: 56, stroke: colours.text, grid: { stroke: colours.line }, ticks: { stroke: colours.line },
            values: function (u, splits) { return splits.map(compact); } }],
        padding: [null, 24, null, null],
        scales: { x: { time: false, range: function () { return [days[0] - DAY / 2, days[days.length - 1] + DAY / 2]; } },
          y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } }
      }, columns, box);
      box.uplot = plot;
      var total = columns.slice(1).some(function (column) { return column.some(function (v) { return v > 0; }); });
      if (!total) {
        var empty = document.createElement("p");
        empty.className = "chart-empty";
        empty.textContent = "Nothing counted on these days";
        box.appendChild(empty);
      }
      plots.push(plot);
    });
    holder.dataset.drawn = "true";
    window.addEventListener("resize", function () {
      plots.forEach(function (plot) { plot.setSize({ width: width(), height: 200 }); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("usage-charts");
    if (holder) start(holder);
  });
})();
