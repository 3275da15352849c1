/* Claimed and completed projects by month on the statistics page (ECharts, vendored). The data and the
   translated series names come from the chart element's data-* attributes. */
(function () {
  "use strict";
  var el = document.getElementById("by-month");
  if (!el || !window.echarts) { return; }
  var rows = el.dataset.months.split(";").map(function (r) { return r.split(",").map(Number); });
  var claimed = el.dataset.seriesClaimed, completed = el.dataset.seriesCompleted;
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {data: [claimed, completed]},
    xAxis: {type: "category", data: el.dataset.labels.split(",")}, yAxis: {type: "value"},
    series: [{name: claimed, type: "bar", data: rows.map(function (r) { return r[0]; })},
             {name: completed, type: "bar", data: rows.map(function (r) { return r[1]; })}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
