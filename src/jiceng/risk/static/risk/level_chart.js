/* Level history chart on the enterprise risk page (ECharts, vendored). Data comes from json_script tags. */
(function () {
  "use strict";
  var el = document.getElementById("risk-level-chart");
  if (!el || !window.echarts) { return; }
  var history = JSON.parse(document.getElementById("risk-level-history").textContent);
  var meta = JSON.parse(document.getElementById("risk-level-meta").textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    grid: { left: 80, right: 24, top: 16, bottom: 40 },
    tooltip: {
      trigger: "axis",
      formatter: function (params) {
        var p = params[0], row = history[p.dataIndex];
        return row.at + "<br>" + meta[String(row.level)].label + " · " + row.score + " · " + row.kind;
      }
    },
    xAxis: { type: "category", data: history.map(function (r) { return r.at; }) },
    yAxis: {
      type: "value", min: 1, max: 5, interval: 1,
      axisLabel: { formatter: function (v) { return meta[String(v)] ? v + " " + meta[String(v)].label : v; } }
    },
    series: [{
      type: "line", step: "end", symbolSize: 12, showAllSymbol: true, lineStyle: { color: "#667382", width: 2 },
      data: history.map(function (r) {
        return { value: r.level, itemStyle: { color: meta[String(r.level)].colour } };
      })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
