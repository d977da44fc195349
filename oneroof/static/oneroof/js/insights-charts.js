// Charts of the insight screens redrawn in the browser from fresh figures: the same geometry
// as oneroof/insights/charts.py (columns, an optional line on a second axis, digits only),
// with sizes as SVG attributes so the content security policy needs no inline style.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function niceMax(value) {
    if (!(value > 0)) { return 1; }
    var power = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 4, 6, 8, 10];
    for (var i = 0; i < steps.length; i++) {
      if (value <= steps[i] * power) { return steps[i] * power; }
    }
    return 10 * power;
  }

  function num(value) {
    if (value >= 1000) { return String(Math.round(value / 10) / 100) + "k"; }
    return String(Math.round(value * 100) / 100);
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function r1(x) { return Math.round(x * 10) / 10; }

  // options: labels, values, line (or null), titles, rtl, width, height, maxXTicks
  function columns(svg, o) {
    var width = o.width || 720, height = o.height || 240;
    var near = 44, far = o.line ? 44 : 12, top = 10, bottom = 26;
    var left = o.rtl ? far : near, right = o.rtl ? near : far;
    var y1x = o.rtl ? width - right + 6 : left - 6, y1a = o.rtl ? "start" : "end";
    var y2x = o.rtl ? left - 6 : width - right + 6, y2a = o.rtl ? "end" : "start";
    var plotW = width - left - right, plotH = height - top - bottom;
    var n = Math.max(o.values.length, 1), slot = plotW / n;
    var topValue = niceMax(Math.max.apply(null, [0].concat(o.values)));
    var every = Math.max(1, Math.ceil(n / (o.maxXTicks || 12)));
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.replaceChildren();
    var grid = el("g", { "class": "chart-grid" });
    var yAxis = el("g", { "class": "chart-axis y1" });
    for (var k = 0; k < 5; k++) {
      var y = r1(top + plotH - plotH * k / 4);
      grid.appendChild(el("line", { x1: left, x2: width - right, y1: y, y2: y }));
      yAxis.appendChild(el("text", { x: y1x, y: y, "text-anchor": y1a,
        "dominant-baseline": "middle" }, num(topValue * k / 4)));
    }
    svg.appendChild(grid);
    var cols = el("g", { "class": "chart-columns" });
    var xAxis = el("g", { "class": "chart-axis x" });
    o.values.forEach(function (value, i) {
      var pos = o.rtl ? n - 1 - i : i;
      var x = left + pos * slot;
      var h = plotH * value / topValue;
      var rect = el("rect", { "class": "column", x: r1(x + slot * 0.15), y: r1(top + plotH - h),
        width: r1(Math.max(slot * 0.7, 1)), height: r1(h) });
      rect.appendChild(el("title", {}, o.titles ? o.titles[i] : o.labels[i] + ": " + value));
      cols.appendChild(rect);
      if (i % every === 0) {
        xAxis.appendChild(el("text", { x: r1(x + slot / 2), y: height - 8, "text-anchor": "middle" },
          o.labels[i]));
      }
    });
    svg.appendChild(cols);
    if (o.line) {
      var lineTop = niceMax(Math.max.apply(null, [0].concat(o.line.filter(function (v) {
        return v !== null;
      }))));
      var points = [];
      var dots = el("g", { "class": "chart-dots" });
      o.line.forEach(function (value, i) {
        if (value === null) { return; }
        var pos = o.rtl ? n - 1 - i : i;
        var x = r1(left + pos * slot + slot / 2);
        var y = r1(top + plotH - plotH * value / lineTop);
        points.push(x + "," + y);
        var dot = el("circle", { cx: x, cy: y, r: 3 });
        dot.appendChild(el("title", {}, o.labels[i] + ": " + value));
        dots.appendChild(dot);
      });
      svg.appendChild(el("polyline", { "class": "chart-line", points: points.join(" ") }));
      svg.appendChild(dots);
      var y2 = el("g", { "class": "chart-axis y2" });
      for (var j = 0; j < 5; j++) {
        y2.appendChild(el("text", { x: y2x, y: r1(top + plotH - plotH * j / 4),
          "text-anchor": y2a, "dominant-baseline": "middle" }, num(lineTop * j / 4)));
      }
      svg.appendChild(y2);
    }
    svg.appendChild(yAxis);
    svg.appendChild(xAxis);
  }

  // A bar of a list: a track and a fill whose width is a share of 100.
  function bar(pct, tone) {
    var svg = el("svg", { "class": "bar" + (tone ? " bar-" + tone : ""), viewBox: "0 0 100 10",
      preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" });
    svg.appendChild(el("rect", { "class": "bar-track", width: 100, height: 10 }));
    svg.appendChild(el("rect", { "class": "bar-fill", width: r1(pct), height: 10 }));
    return svg;
  }

  window.oneroofCharts = { columns: columns, bar: bar, niceMax: niceMax };
})();
