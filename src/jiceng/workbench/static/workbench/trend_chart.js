/* The workbench's chart of demands by category and month (ECharts, vendored). The Content-Security-Policy allows
   no inline script: the data comes from a json_script element named by the chart's data-chart-data attribute.
   A bar opens the demand list for that category and month. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  function monthEnd(month) {
    var parts = month.split("-"), year = +parts[0], m = +parts[1];
    var last = new Date(Date.UTC(year, m, 0)).getUTCDate();
    return month + "-" + (last < 10 ? "0" : "") + last;
  }
  document.querySelectorAll("[data-chart-data]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart-data"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, emphasis: { focus: "series" } };
      })
    });
    chart.on("click", function (params) {
      var s = data.series[params.seriesIndex], month = data.months[params.dataIndex];
      if (!s.code) { return; }  /* "其他" and uncategorized demands: no single category to filter by */
      var query = "created_after=" + month + "-01&created_before=" + monthEnd(month);
      query += "&category=" + encodeURIComponent(s.code);
      window.location.href = data.list_url + "?" + query;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
