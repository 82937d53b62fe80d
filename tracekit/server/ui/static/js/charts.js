// Line charts as small hand-written SVG: one path per series, downsampled to the pixels it is drawn on (the first,
// lowest, highest and last point of each pixel column, in order), so a spike survives and a 10,000-point series
// costs a few thousand path points. Missing values (NaN, null) break the line.

import {h} from "./dom.js";

// The SVG namespace as the HTML parser assigns it (the page's code names no host, not even a namespace URI).
const SVG_NS = (() => {
  const template = document.createElement("template");
  template.innerHTML = "<svg></svg>";
  return template.content.firstChild.namespaceURI;
})();
export const SERIES_COLORS = ["#3454d1", "#d1495b", "#2a9d8f", "#e9a03b", "#7b4fc9", "#4a7c59", "#c2569b", "#5c6b8a"];
const MARGIN = {top: 10, right: 14, bottom: 26, left: 56};

function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value !== null && value !== undefined) element.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

/**
 * Indexes of the points to draw of a series sorted by x: per pixel column of `width` over [x0, x1], the first,
 * lowest, highest and last point (each once, in their order). A gap (a missing y) is kept as its own index so the
 * line breaks there.
 */
export function downsample(xs, ys, x0, x1, width) {
  const n = xs.length;
  if (n <= width * 4) return null;  // few enough to draw every point
  const kept = [];
  const scale = x1 > x0 ? width / (x1 - x0) : 0;
  let bucket = -1;
  let first = -1, low = -1, high = -1, last = -1;
  const flush = () => {
    if (first < 0) return;
    const picks = [first, low, high, last].sort((a, b) => a - b);
    let previous = -1;
    for (const index of picks) if (index !== previous) kept.push(previous = index);
  };
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      flush();
      first = low = high = last = -1;
      kept.push(i);
      continue;
    }
    const column = Math.floor((xs[i] - x0) * scale);
    if (column !== bucket || first < 0) {
      if (column !== bucket) {
        flush();
        first = low = high = -1;
      }
      bucket = column;
      if (first < 0) first = low = high = i;
    }
    if (y < ys[low]) low = i;
    if (y > ys[high]) high = i;
    last = i;
  }
  flush();
  return kept;
}

/** About `count` round tick values spanning [low, high]. */
export function ticks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) || raw;
  const values = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
    values.push(Math.abs(value) < step * 1e-9 ? 0 : value);
  }
  return values;
}

export function formatNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toLocaleString();
}

function pad(number) {
  return String(number).padStart(2, "0");
}

function formatClock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A chart of `series` ([{label, xs, ys, color}], xs sorted, Float64Arrays or arrays); `xKind` "step" or "time"
 * (ms since the epoch). Returns the element (an SVG in a figure, with a legend when there are several series).
 */
export function lineChart({title, series, xKind = "step", width = 420, height = 220, testid = "chart"}) {
  const started = performance.now();
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const {xs, ys} of series) {
    if (!xs.length) continue;
    x0 = Math.min(x0, xs[0]);
    x1 = Math.max(x1, xs[xs.length - 1]);
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i];
      if (Number.isFinite(y)) {
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const empty = !Number.isFinite(x0) || !Number.isFinite(y0);
  if (empty) x0 = y0 = 0, x1 = y1 = 1;
  if (x1 === x0) x0 -= 1, x1 += 1;  // one x: centre it
  if (y1 === y0) {
    const spread = Math.abs(y0) * 0.1 || 1;
    y0 -= spread;
    y1 += spread;
  }
  const px = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight;

  const grid = svg("g", {class: "chart-grid"});
  for (const value of ticks(y0, y1, 4)) {
    const y = py(value).toFixed(1);
    grid.append(svg("line", {x1: MARGIN.left, x2: width - MARGIN.right, y1: y, y2: y}),
      svg("text", {x: MARGIN.left - 6, y, "text-anchor": "end", "dominant-baseline": "middle"}, formatNumber(value)));
  }
  const xTicks = xKind === "time" ? ticks(x0, x1, 4) : ticks(x0, x1, 5).filter((value) => Number.isInteger(value));
  for (const value of xTicks) {
    const x = px(value).toFixed(1);
    grid.append(svg("line", {x1: x, x2: x, y1: MARGIN.top + plotHeight, y2: MARGIN.top + plotHeight + 4}),
      svg("text", {x, y: height - 8, "text-anchor": "middle"}, xKind === "time" ? formatClock(value)
        : formatNumber(value)));
  }
  grid.append(svg("line", {class: "chart-axis", x1: MARGIN.left, x2: width - MARGIN.right,
    y1: MARGIN.top + plotHeight, y2: MARGIN.top + plotHeight}));

  const lines = svg("g", {class: "chart-lines"});
  let drawn = 0;
  series.forEach(({label, xs, ys, color}, index) => {
    const kept = downsample(xs, ys, x0, x1, plotWidth);
    const count = kept ? kept.length : xs.length;
    let d = "";
    let open = false;
    for (let k = 0; k < count; k++) {
      const i = kept ? kept[k] : k;
      const y = ys[i];
      if (!Number.isFinite(y)) {
        open = false;
        continue;
      }
      d += `${open ? "L" : "M"}${px(xs[i]).toFixed(1)} ${py(y).toFixed(1)}`;
      open = true;
      drawn++;
    }
    const stroke = color || SERIES_COLORS[index % SERIES_COLORS.length];
    lines.append(svg("path", {d, stroke, fill: "none", "stroke-width": 1.6, "data-series": label,
      "data-points": xs.length, "data-drawn": count}, svg("title", null, label)));
    if (xs.length === 1 && Number.isFinite(ys[0])) {
      lines.append(svg("circle", {cx: px(xs[0]).toFixed(1), cy: py(ys[0]).toFixed(1), r: 3, fill: stroke}));
    }
  });

  const chart = svg("svg", {class: "chart-svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": title ? `Chart of ${title}` : "Chart"}, grid, lines);
  if (empty) chart.append(svg("text", {x: width / 2, y: height / 2, "text-anchor": "middle", class: "chart-empty"},
    "No values"));
  const figure = h("figure", {class: "chart", "data-testid": testid, "data-drawn-points": String(drawn)},
    title ? h("figcaption", {class: "chart-title", title}, title) : null, chart,
    series.length > 1 ? h("div", {class: "chart-legend"}, series.map(({label, color}, index) =>
      h("span", {class: "legend-item"}, h("span", {class: "legend-swatch",
        style: {background: color || SERIES_COLORS[index % SERIES_COLORS.length]}}), label))) : null);
  performance.measure("tracekit:chart", {start: started, end: performance.now(),
    detail: {points: series.reduce((sum, {xs}) => sum + xs.length, 0), drawn}});  // read by benchmarks/ui.py
  return figure;
}
