/* The mirage explorer without a kernel: draws the frame chosen with the sliders.
   Every number comes precomputed from emergence.book.explore.mirage_frame (in the page, as
   JSON); this script only picks a frame and draws it, as two SVG panels. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 336, H = 250, M = {left: 54, right: 10, top: 26, bottom: 40};

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function score(v) { return v === null ? "\u221e" : (Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)))); }
  function sup(n) {
    var digits = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
    var s = String(n).split("").map(function (c) { return c === "-" ? "\u207b" : digits[+c]; }).join("");
    return "10" + s;
  }
  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  // the page's words are templates (emergence.book.explore.EXPLORER_TEXT), in its language
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
  }

  function Panel(parent, ylabel, text) {
    this.svg = el("svg", {viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
                          "class": "mirage-panel"}, parent);
    this.ylabel = ylabel;
    this.text = text;
  }
  Panel.prototype.draw = function (o) {
    var svg = this.svg, self = this;
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    svg.setAttribute("aria-label", o.label);
    var x0 = M.left, x1 = W - M.right, y0 = H - M.bottom, y1 = M.top;
    function sx(v) { return x0 + (Math.log10(v) - o.xlog[0]) / (o.xlog[1] - o.xlog[0]) * (x1 - x0); }
    function sy(v) {
      var t = o.ylog ? (Math.log10(Math.max(v, o.y[0])) - Math.log10(o.y[0])) / (Math.log10(o.y[1]) - Math.log10(o.y[0]))
                     : (v - o.y[0]) / (o.y[1] - o.y[0]);
      return y0 - Math.min(Math.max(t, 0), 1) * (y0 - y1);
    }
    el("rect", {x: 0, y: 0, width: W, height: H, fill: "white"}, svg);
    // axes, ticks and grid
    for (var e = Math.ceil(o.xlog[0]); e <= o.xlog[1]; e++) {
      var x = sx(Math.pow(10, e));
      el("line", {x1: x, x2: x, y1: y0, y2: y1, stroke: "#ddd"}, svg);
      el("text", {x: x, y: y0 + 15, "text-anchor": "middle", "font-size": 11}, svg, sup(e));
    }
    o.yticks.forEach(function (t) {
      var y = sy(t[0]);
      el("line", {x1: x0, x2: x1, y1: y, y2: y, stroke: "#ddd"}, svg);
      el("text", {x: x0 - 4, y: y + 4, "text-anchor": "end", "font-size": 11}, svg, t[1]);
    });
    el("line", {x1: x0, x2: x1, y1: y0, y2: y0, stroke: "#333"}, svg);
    el("line", {x1: x0, x2: x0, y1: y0, y2: y1, stroke: "#333"}, svg);
    el("text", {x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle", "font-size": 12}, svg,
       self.text.x_axis);
    el("text", {x: 12, y: (y0 + y1) / 2, "text-anchor": "middle", "font-size": 12,
                transform: "rotate(-90 12 " + (y0 + y1) / 2 + ")"}, svg, self.ylabel);
    el("text", {x: (x0 + x1) / 2, y: 15, "text-anchor": "middle", "font-size": 12,
                "font-weight": "bold"}, svg, o.title);
    el("text", {x: x0 + 6, y: o.ylog ? y1 + 14 : y0 - 6, "font-size": 11, "font-style": "italic",
                fill: "#a00"}, svg, self.text.simulated);
    // the model's curve
    var pts = [];
    o.grid.forEach(function (g, i) {
      if (!o.ylog || o.model[i] > 0) { pts.push(sx(g).toFixed(1) + "," + sy(o.model[i]).toFixed(1)); }
    });
    el("polyline", {points: pts.join(" "), fill: "none", stroke: "#888", "stroke-width": 1.5,
                    "class": "model-curve"}, svg);
    // one simulated test set per model
    o.points.forEach(function (p) {
      var x = sx(p.x);
      if (p.zero) {
        var y = sy(o.floor);
        el("path", {d: "M" + (x - 5) + "," + (y - 4) + "h10l-5,8z", fill: "white", stroke: o.color,
                    "stroke-width": 1.5}, svg);
        return;
      }
      if (p.lo !== undefined) {
        el("line", {x1: x, x2: x, y1: sy(p.lo), y2: sy(p.hi), stroke: o.color, "stroke-width": 1.5}, svg);
      }
      el("circle", {cx: x, cy: sy(p.y), r: 4, fill: o.color}, svg);
    });
  };

  function slider(parent, label, values, show, start) {
    var row = document.createElement("label");
    row.className = "mirage-control";
    var name = document.createElement("span");
    name.textContent = label;
    var input = document.createElement("input");
    input.type = "range"; input.min = 0; input.max = values.length - 1; input.step = 1;
    input.value = start;
    var out = document.createElement("output");
    function refresh() { out.textContent = show(values[+input.value]); input.setAttribute("aria-valuetext", out.textContent); }
    input.addEventListener("input", refresh);
    refresh();
    row.appendChild(name); row.appendChild(input); row.appendChild(out);
    parent.appendChild(row);
    return input;
  }

  function init(box) {
    if (box.getAttribute("data-ready")) { return; }
    box.setAttribute("data-ready", "1");
    var d = JSON.parse(box.querySelector("script.mirage-data").textContent);
    var controls = document.createElement("div");
    controls.className = "mirage-controls";
    box.appendChild(controls);
    var words = d.text;
    var sL = slider(controls, words.length, d.lengths, String, d.start[0]);
    var sA = slider(controls, words.exponent, d.alphas, function (a) { return a.toFixed(1).replace("-", "\u2212"); }, d.start[1]);
    var sN = slider(controls, words.items, d.items, thousands, d.start[2]);
    var panels = document.createElement("div");
    panels.className = "mirage-panels";
    box.appendChild(panels);
    var left = new Panel(panels, words.left_axis, words);
    var right = new Panel(panels, words.right_axis, words);
    var summary = document.createElement("p");
    summary.className = "mirage-summary";
    summary.setAttribute("aria-live", "polite");
    box.appendChild(summary);
    var xlog = [Math.log10(d.grid[0]), Math.log10(d.grid[d.grid.length - 1])];

    function update() {
      var i = +sL.value, j = +sA.value, k = +sN.value;
      var L = d.lengths[i], n = d.items[k], model = d.model[i][j], f = d.frames[i][j][k];
      var floor = 0.3 / n, zeros = f[0].filter(function (c) { return c === 0; }).length;
      var yticks = [];
      for (var e = Math.ceil(Math.log10(floor / 3)); e <= 0; e++) { yticks.push([Math.pow(10, e), sup(e)]); }
      left.draw({
        title: fill(words.left_title, {L: L, score: score(f[4])}), xlog: xlog, ylog: true,
        y: [floor / 3, 1.5], yticks: yticks, floor: floor, grid: d.grid, model: model[0],
        color: d.colors.exact,
        points: d.sizes.map(function (s, m) {
          return f[0][m] === 0 ? {x: s, zero: true} : {x: s, y: f[0][m] / n, lo: f[2][m], hi: f[3][m]};
        }),
        label: fill(words.left_label, {n: thousands(n), zeros: zeros, score: score(f[4])})
      });
      var top = Math.max(L, 1) * 1.05, step = L <= 2 ? 0.5 : (L <= 5 ? 1 : 2), ticks = [];
      for (var t = 0; t <= top; t += step) { ticks.push([t, String(t)]); }
      right.draw({
        title: fill(words.right_title, {L: L, score: score(f[5])}), xlog: xlog, ylog: false,
        y: [0, top], yticks: ticks, grid: d.grid, model: model[1], color: d.colors.edit,
        points: d.sizes.map(function (s, m) { return {x: s, y: f[1][m]}; }),
        label: fill(words.right_label, {score: score(f[5])})
      });
      summary.textContent = fill(words.summary, {L: L, alpha: d.alphas[j].toFixed(1), n: thousands(n),
                                             zeros: zeros, exact: score(f[4]), edit: score(f[5])});
    }
    [sL, sA, sN].forEach(function (s) { s.addEventListener("input", update); });
    update();
  }

  function all() { document.querySelectorAll(".mirage-explorer").forEach(init); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
