// Chart geometry, computed at build time with d3 scales: the components in src/components/charts
// only draw what these pure functions return, so no d3 reaches the browser.
import { format, interpolateCividis, scaleBand, scaleLinear } from "d3";

/** Okabe–Ito: a palette that stays distinguishable with the common colour-vision deficiencies. */
export const OKABE_ITO = {
  blue: "#0072B2",
  orange: "#E69F00",
  sky: "#56B4E9",
  green: "#009E73",
  yellow: "#F0E442",
  vermillion: "#D55E00",
  purple: "#CC79A7",
  black: "#000000",
} as const;

export const pct = format(".0%");
/** Coordinates to 0.01 px: plenty for SVG, and much shorter HTML. */
const r2 = (v: number) => Math.round(v * 100) / 100;
export const pct1 = format(".1%");

/** Room for the longest label at ~0.6 em per character, so labels are not cut (within limits). */
export function labelWidthFor(labels: string[], fontPx = 12, min = 80, max = 320): number {
  const longest = Math.max(0, ...labels.map((l) => [...l].length));
  return Math.round(Math.min(max, Math.max(min, longest * fontPx * 0.6 + 16)));
}

export interface BarDatum {
  label: string;
  value: number;
  /** 95% interval, drawn as a whisker. */
  ci?: [number, number] | null;
  /** A second value drawn as a tick on the bar (e.g. the peers' mean). */
  marker?: number | null;
  href?: string | null;
}

export interface BarGeometry {
  width: number;
  height: number;
  plot: { x0: number; x1: number; y0: number; y1: number };
  bars: {
    label: string;
    href: string | null;
    y: number;
    h: number;
    x: number;
    w: number;
    labelY: number;
    value: number;
    valueText: string;
    valueX: number;
    ci: { x1: number; x2: number; y: number; text: string } | null;
    marker: { x: number; y1: number; y2: number; text: string } | null;
  }[];
  ticks: { x: number; text: string }[];
}

export interface BarOptions {
  width?: number;
  labelWidth?: number;
  barHeight?: number;
  /** Upper end of the axis; default: the largest value or interval end, at least 0.05. */
  max?: number;
}

/**
 * The frame both bar charts share: rows of height `rowH` from the top, an x scale of shares from
 * the label column to the right margin, its ticks, and the plot box; `y` bands the rows.
 */
function rowsFrame(
  rows: number,
  rowH: number,
  labelWidth: number,
  width: number,
  maxValue: number,
  padding: [number, number],
) {
  const top = 8;
  const bottom = 34;
  const right = 56;
  const x = scaleLinear()
    .domain([0, maxValue])
    .nice(5)
    .range([labelWidth, width - right]);
  const y = scaleBand<number>()
    .domain([...Array(rows).keys()])
    .range([top, top + rowH * rows])
    .paddingInner(padding[0])
    .paddingOuter(padding[1]);
  return {
    x,
    y,
    height: top + bottom + rowH * Math.max(1, rows),
    plot: { x0: x.range()[0], x1: x.range()[1], y0: top, y1: top + rowH * rows },
    ticks: x.ticks(5).map((t) => ({ x: r2(x(t)), text: pct(t) })),
  };
}

/** Horizontal bars of shares (0..1) with interval whiskers and optional markers. */
export function barChart(data: BarDatum[], opts: BarOptions = {}): BarGeometry {
  const width = opts.width ?? 640;
  const labelWidth =
    opts.labelWidth ??
    labelWidthFor(
      data.map((d) => d.label),
      12,
      80,
      260,
    );
  const rowH = opts.barHeight ?? 26;
  const maxData = Math.max(0.05, ...data.flatMap((d) => [d.value, d.ci?.[1] ?? 0, d.marker ?? 0]));
  const { x, y, height, plot, ticks } = rowsFrame(
    data.length,
    rowH,
    labelWidth,
    width,
    opts.max ?? maxData,
    [0.25, 0.1],
  );
  const clamp = (v: number) => r2(Math.max(x.range()[0], Math.min(x.range()[1], x(v))));
  const bars = data.map((d, i) => {
    const by = r2(y(i)!);
    const bh = r2(y.bandwidth());
    const end = Math.max(d.value, d.ci?.[1] ?? 0, d.marker ?? 0);
    return {
      label: d.label,
      href: d.href ?? null,
      y: by,
      h: bh,
      x: x(0),
      w: r2(Math.max(0, clamp(d.value) - x(0))),
      labelY: r2(by + bh / 2),
      value: d.value,
      valueText: pct1(d.value),
      valueX: clamp(end) + 4,
      ci: d.ci
        ? { x1: clamp(d.ci[0]), x2: clamp(d.ci[1]), y: r2(by + bh / 2), text: `${pct1(d.ci[0])}–${pct1(d.ci[1])}` }
        : null,
      marker:
        d.marker === null || d.marker === undefined
          ? null
          : { x: clamp(d.marker), y1: by - 2, y2: by + bh + 2, text: pct1(d.marker) },
    };
  });
  return { width, height, plot, bars, ticks };
}

export interface GroupedDatum {
  label: string;
  href?: string | null;
  values: number[];
  /** Marks the group (e.g. a significant difference). */
  flag?: boolean;
}

export interface GroupedGeometry {
  width: number;
  height: number;
  plot: { x0: number; x1: number; y0: number; y1: number };
  groups: {
    label: string;
    href: string | null;
    labelY: number;
    flag: boolean;
    bars: {
      series: number;
      y: number;
      h: number;
      x: number;
      w: number;
      valueText: string;
      valueX: number;
      fill: string;
    }[];
  }[];
  ticks: { x: number; text: string }[];
}

/** Horizontal grouped bars, one bar per series in each group (two models side by side). */
export function groupedBarChart(data: GroupedDatum[], colours: string[], opts: BarOptions = {}): GroupedGeometry {
  const width = opts.width ?? 640;
  const labelWidth =
    opts.labelWidth ??
    labelWidthFor(
      data.map((d) => `★ ${d.label}`),
      12,
      80,
      260,
    );
  const series = Math.max(1, ...data.map((d) => d.values.length));
  const rowH = (opts.barHeight ?? 16) * series + 12;
  const maxData = Math.max(0.05, ...data.flatMap((d) => d.values));
  const { x, y, height, plot, ticks } = rowsFrame(
    data.length,
    rowH,
    labelWidth,
    width,
    opts.max ?? maxData,
    [0.2, 0.05],
  );
  const inner = scaleBand<number>()
    .domain([...Array(series).keys()])
    .range([0, y.bandwidth()])
    .paddingInner(0.1);
  const groups = data.map((d, i) => ({
    label: d.label,
    href: d.href ?? null,
    labelY: r2(y(i)! + y.bandwidth() / 2),
    flag: d.flag ?? false,
    bars: d.values.map((v, s) => ({
      series: s,
      y: r2(y(i)! + inner(s)!),
      h: r2(inner.bandwidth()),
      x: x(0),
      w: r2(Math.max(0, x(Math.min(v, x.domain()[1])) - x(0))),
      valueText: pct1(v),
      valueX: r2(x(Math.min(v, x.domain()[1])) + 4),
      fill: colours[s % colours.length],
    })),
  }));
  return { width, height, plot, groups, ticks };
}

export interface HeatmapGeometry {
  width: number;
  height: number;
  cols: { label: string; href: string | null; x: number; y: number }[];
  rows: { label: string; href: string | null; y: number }[];
  cells: {
    row: number;
    col: number;
    x: number;
    y: number;
    w: number;
    h: number;
    fill: string;
    text: string;
    textFill: string;
    value: number | null;
  }[];
  legend: { x: number; y: number; w: number; h: number; fill: string; text: string }[];
}

/** Relative luminance of a hex or rgb() colour, to pick readable text on a cell. */
function luminance(colour: string): number {
  const m = colour.match(/\d+/g);
  const [r, g, b] = colour.startsWith("#")
    ? [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16))
    : (m ?? ["0", "0", "0"]).slice(0, 3).map(Number);
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * A rows × columns grid of shares coloured with cividis (designed for colour-vision deficiencies),
 * each cell also printed as a number so colour is never the only cue.
 */
export function heatmap(
  rows: { label: string; href?: string | null }[],
  cols: { label: string; href?: string | null }[],
  values: (number | null)[][],
  opts: { cell?: number; rowHeight?: number; labelWidth?: number; headerHeight?: number } = {},
): HeatmapGeometry {
  const cell = opts.cell ?? 56;
  // many rows get flatter cells so the grid stays on a screen or two
  const rowH = opts.rowHeight ?? (rows.length > 12 ? 30 : cell);
  const labelWidth = opts.labelWidth ?? labelWidthFor(rows.map((r) => r.label));
  const header = opts.headerHeight ?? Math.min(200, labelWidthFor(cols.map((c) => c.label)) * 0.65 + 20);
  const max = Math.max(0.01, ...values.flat().map((v) => v ?? 0));
  const colour = scaleLinear<number>().domain([0, max]).range([0, 1]).clamp(true);
  const fillOf = (v: number) => interpolateCividis(colour(v));
  const cells = values.flatMap((row, r) =>
    row.map((v, c) => {
      const fill = v === null ? "none" : fillOf(v);
      return {
        row: r,
        col: c,
        x: labelWidth + c * cell,
        y: header + r * rowH,
        w: cell - 2,
        h: rowH - 2,
        fill,
        text: v === null ? "–" : pct(v),
        textFill: v === null ? "currentColor" : luminance(fill) > 0.3 ? "#000000" : "#ffffff",
        value: v,
      };
    }),
  );
  const legendSteps = 5;
  const legendY = header + rows.length * rowH + 16;
  const legend = [...Array(legendSteps).keys()].map((i) => {
    const v = (max * i) / (legendSteps - 1);
    return { x: labelWidth + i * 48, y: legendY, w: 46, h: 14, fill: fillOf(v), text: pct(v) };
  });
  return {
    // rotated column labels reach up to about the header height to the right of the last column
    width: Math.max(labelWidth + cols.length * cell + header, labelWidth + legendSteps * 48 + 8),
    height: legendY + 36,
    cols: cols.map((c, i) => ({
      label: c.label,
      href: c.href ?? null,
      x: labelWidth + i * cell + cell / 2,
      y: header - 8,
    })),
    rows: rows.map((r, i) => ({ label: r.label, href: r.href ?? null, y: header + i * rowH + rowH / 2 })),
    cells,
    legend,
  };
}
