/* The big screen (jiceng.screen): draws the data embedded in the page (json_script) with the vendored ECharts,
   then follows /screen/stream/ (Server-Sent Events). EventSource reconnects by itself when a stream ends or
   drops; each message carries the whole screen's data, so a missed one is never a problem. */
(function () {
  "use strict";
  var body = document.body, labels = body.dataset;
  var source = document.getElementById("screen-data");
  if (!source) { return; }
  var ec = window.echarts, charts = {};
  var TEXT = "#cfe0f3", LINE = "#1f3b5c";
  var PALETTE = ["#4fc3f7", "#2fb344", "#f59f00", "#ae3ec9", "#f76707", "#d63939", "#74b816", "#206bc4",
                 "#17a2b8", "#e64980"];

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !ec) { return null; }
    if (!charts[id]) { charts[id] = ec.init(el, "dark"); }
    return charts[id];
  }
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }
  function pct(x) { return (x * 100).toFixed(1) + "%"; }
  function names(rows) { return rows.map(function (r) { return r.label; }); }
  function values(rows) { return rows.map(function (r) { return r.value; }); }
  function pie(rows, center, radius) {
    return {type: "pie", center: center, radius: radius,
            label: {color: TEXT, formatter: "{b} {c}", overflow: "break", width: 90},
            data: rows.map(function (r) { return {name: r.label, value: r.value}; })};
  }
  function base(extra) {
    var option = {backgroundColor: "transparent", color: PALETTE, textStyle: {color: TEXT},
                  tooltip: {trigger: "item"}, animationDuration: 600};
    Object.keys(extra).forEach(function (k) { option[k] = extra[k]; });
    return option;
  }
  function axis(data, extra) {
    var a = {type: "category", data: data, axisLabel: {color: TEXT}, axisLine: {lineStyle: {color: LINE}}};
    Object.keys(extra || {}).forEach(function (k) { a[k] = extra[k]; });
    return a;
  }
  var valueAxis = {type: "value", minInterval: 1, axisLabel: {color: TEXT}, splitLine: {lineStyle: {color: LINE}}};

  function li(cls, parts) {
    var item = document.createElement("li");
    if (cls) { item.className = cls; }
    parts.forEach(function (p) {
      var span = document.createElement("span");
      span.className = p[0];
      span.textContent = p[1];
      item.appendChild(span);
    });
    return item;
  }
  function empty(list) {
    var item = document.createElement("li");
    item.className = "empty";
    item.textContent = labels.labelEmpty;
    list.appendChild(item);
  }

  var seenFeed = null;
  function renderFeed(rows) {
    var list = document.getElementById("feed");
    if (!list) { return; }
    var before = seenFeed;
    seenFeed = {};
    list.textContent = "";
    rows.forEach(function (r) {
      var key = r.kind + r.at + r.title;
      seenFeed[key] = true;
      var item = li(before && !before[key] ? "fresh" : "", [["kind " + r.kind, r.kind_label], ["at", r.at],
        ["what", r.title + " · " + r.category], ["where", r.place]]);
      list.appendChild(item);
    });
    if (!rows.length) { empty(list); }
  }

  function renderPioneers(rows) {
    var list = document.getElementById("pioneers");
    if (!list) { return; }
    list.textContent = "";
    rows.forEach(function (r) {
      list.appendChild(li("", [["rank", String(r.rank)], ["name", r.name], ["org", r.organization],
        ["points", r.total.toFixed(1) + " " + labels.labelPoints]]));
    });
    if (!rows.length) { empty(list); }
  }

  function render(d) {
    var today = d.demands.today, month = d.demands.month;
    text("today-total", today.total);
    text("month-total", month.total);
    text("screen-date", d.today);
    if (d.coverage) {
      text("enterprises", d.coverage.enterprises);
      text("org-rate", pct(d.coverage.org_rate));
      text("work-rate", pct(d.coverage.work_rate));
    }
    if (d.party) {
      text("organizations", d.party.organizations);
      text("members", d.party.members);
    }
    if (d.activities) { text("activities", d.activities.activities + " / " + d.activities.attendance); }
    var c = chart("chart-today");
    if (c) {
      c.setOption(base({grid: {left: 8, right: "42%", top: 16, bottom: 8, containLabel: true},
        xAxis: axis(names(today.by_category), {axisLabel: {color: TEXT, interval: 0, rotate: 30}}), yAxis: valueAxis,
        series: [{type: "bar", name: labels.labelToday, barMaxWidth: 48, data: values(today.by_category)},
                 pie(today.by_status, ["80%", "50%"], ["25%", "45%"])]}), true);
    }
    c = chart("chart-month");
    if (c) {
      c.setOption(base({tooltip: {trigger: "axis"}, grid: {left: 8, right: "42%", top: 16, bottom: 8, containLabel: true},
        xAxis: axis(month.by_day.map(function (r) { return r.day.slice(8); })), yAxis: valueAxis,
        series: [{type: "line", smooth: true, areaStyle: {opacity: 0.25}, name: labels.labelDemands,
                  data: month.by_day.map(function (r) { return r.value; })},
                 pie(month.by_status, ["80%", "50%"], ["25%", "45%"])]}), true);
    }
    c = chart("chart-month-categories");
    if (c) {
      var top = month.by_category.slice(0, 10).reverse();
      c.setOption(base({grid: {left: 8, right: 24, top: 8, bottom: 8, containLabel: true}, xAxis: valueAxis,
        yAxis: axis(names(top)), series: [{type: "bar", name: labels.labelMonth, data: values(top),
        label: {show: true, position: "right", color: TEXT}}]}), true);
    }
    renderFeed(d.feed || []);
    if (d.colours) {
      c = chart("chart-colours");
      var areas = d.colours.areas.slice().reverse();
      if (c) {
        c.setOption(base({tooltip: {trigger: "axis"}, legend: {textStyle: {color: TEXT}, top: 0},
          grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true}, xAxis: valueAxis,
          yAxis: axis(areas.map(function (a) { return a.name; })),
          series: d.colours.levels.map(function (level, i) {
            return {type: "bar", stack: "levels", name: level.label, itemStyle: {color: level.colour},
                    data: areas.map(function (a) { return a.counts[i]; })};
          })}), true);
      }
    }
    if (d.party) {
      c = chart("chart-party");
      if (c) { c.setOption(base({series: [pie(d.party.by_kind, ["50%", "55%"], ["35%", "65%"])]}), true); }
    }
    if (d.projects) {
      c = chart("chart-projects");
      if (c) {
        var rows = d.projects.by_category;
        c.setOption(base({tooltip: {trigger: "axis"}, legend: {textStyle: {color: TEXT}, top: 0},
          grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
          xAxis: axis(names(rows), {axisLabel: {color: TEXT, interval: 0}}), yAxis: valueAxis,
          series: [{type: "bar", barMaxWidth: 48, name: labels.labelClaimed + " " + d.projects.claimed,
                    data: values(rows)},
                   {type: "bar", barMaxWidth: 48, name: labels.labelCompleted + " " + d.projects.completed,
                    data: rows.map(function (r) { return r.completed; })}]}), true);
      }
    }
    if (d.pioneers) { renderPioneers(d.pioneers); }
  }

  render(JSON.parse(source.textContent));

  var live = document.getElementById("screen-live");
  function state(on) {
    if (!live) { return; }
    live.textContent = on ? labels.labelLive : labels.labelOffline;
    live.classList.toggle("on", on);
  }
  if (window.EventSource && body.dataset.stream) {
    var stream = new window.EventSource(body.dataset.stream);
    stream.onopen = function () { state(true); };
    stream.onmessage = function (e) { state(true); render(JSON.parse(e.data)); };
    stream.onerror = function () { state(false); };
  }

  function tick() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    text("screen-time", pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()));
  }
  window.setInterval(tick, 1000);

  var full = document.getElementById("screen-full");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    });
  }
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
})();
