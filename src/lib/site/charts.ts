// Chart geometry, computed at build time with d3 scales: the components in src/components/charts
// only draw what these pure functions return, so no d3 reaches the browser.
import { format, interpolateCividis, scaleLinear } from "d3";

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

/**
 * Bar charts are laid out for any width, from a 320 px phone up: x in percent of the chart's width
 * (the SVG has no viewBox, so its text keeps its size instead of shrinking with the chart), y in
 * pixels, and each row's label on its own line(s) above its bar. Bars end within PLOT_END percent;
 * the rest holds the value labels ("100.0%" needs ~45 px: 18% of a 250 px chart).
 */
export const PLOT_END = 82;
/** Label lines wrap at this many characters: ~0.6 em each at 12 px, 38 fit the ~290 px of a 320 px phone. */
export const LABEL_CHARS = 38;
/** Height of a label line, px. */
export const LABEL_LINE = 15;
const TOP = 4;
/** Below the plot: tick labels and the axis title. */
const AXIS_H = 40;

/**
 * A label as lines of at most `max` characters, broken at the last space in the line's second half,
 * else after the last / - _ . , ; : ) there, else mid-word: never cut, never wider than the chart.
 */
export function wrapLabel(text: string, max = LABEL_CHARS): string[] {
  let rest = [...text.trim()];
  const lines: string[] = [];
  const lastBreak = (ok: (i: number) => boolean) => {
    for (let i = max; i > max / 2; i--) if (ok(i)) return i;
    return -1;
  };
  while (rest.length > max) {
    let cut = lastBreak((i) => rest[i] === " ");
    if (cut < 0) cut = lastBreak((i) => "/-_.,;:)".includes(rest[i - 1]));
    if (cut < 0) cut = max;
    lines.push(rest.slice(0, cut).join("").trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === " ") rest = rest.slice(1);
  }
  if (rest.length || lines.length === 0) lines.push(rest.join(""));
  return lines;
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

/** x values (x, w, x1, x2, valueX, ticks) are percent of the chart's width; y values are px. */
export interface BarGeometry {
  height: number;
  plot: { x0: number; x1: number; y0: number; y1: number };
  bars: {
    label: string;
    lines: string[];
    href: string | null;
    y: number;
    h: number;
    x: number;
    w: number;
    /** Baseline of the label's first line. */
    labelY: number;
    value: number;
    valueText: string;
    valueX: number;
    ci: { x1: number; x2: number; y: number; text: string } | null;
    marker: { x: number; y1: number; y2: number; text: string } | null;
  }[];
  ticks: { x: number; text: string; anchor: "start" | "middle" }[];
}

export interface BarOptions {
  /** Height of one bar, px. */
  barHeight?: number;
  /** Upper end of the axis; default: the largest value or interval end, at least 0.05. */
  max?: number;
}

/** The x scale of shares, 0 .. the niced maximum onto 0 .. PLOT_END percent, and its ticks. */
function shareScale(maxValue: number) {
  const x = scaleLinear().domain([0, maxValue]).nice(5).range([0, PLOT_END]);
  const ticks = x.ticks(5).map((t, i) => ({
    x: r2(x(t)),
    text: pct(t),
    // the first tick sits on the left edge: its label starts there rather than being cut in half
    anchor: i === 0 ? ("start" as const) : ("middle" as const),
  }));
  return { x, ticks, clamp: (v: number) => r2(Math.max(0, Math.min(PLOT_END, x(v)))) };
}

/**
 * Rows top to bottom, each a label block of `lines` lines, a gap, then `barsH` px of bars: returns
 * for each row the y of its first label baseline and of its bars, and the plot's bottom.
 */
function stackRows(lineCounts: number[], barsH: number, gap: number) {
  let y = TOP;
  const rows = lineCounts.map((n) => {
    const labelY = y + 11;
    const barY = y + n * LABEL_LINE + 3;
    y = barY + barsH + gap;
    return { labelY, barY };
  });
  return { rows, bottom: Math.max(TOP + barsH, y - gap) + 2 };
}

/** Horizontal bars of shares (0..1) with interval whiskers and optional markers. */
export function barChart(data: BarDatum[], opts: BarOptions = {}): BarGeometry {
  const barH = opts.barHeight ?? 14;
  const maxData = Math.max(0.05, ...data.flatMap((d) => [d.value, d.ci?.[1] ?? 0, d.marker ?? 0]));
  const { x, ticks, clamp } = shareScale(opts.max ?? maxData);
  const lines = data.map((d) => wrapLabel(d.label));
  const { rows, bottom } = stackRows(
    lines.map((l) => l.length),
    barH,
    10,
  );
  const bars = data.map((d, i) => {
    const by = rows[i].barY;
    const mid = r2(by + barH / 2);
    const end = Math.max(d.value, d.ci?.[1] ?? 0, d.marker ?? 0);
    return {
      label: d.label,
      lines: lines[i],
      href: d.href ?? null,
      y: by,
      h: barH,
      x: x(0),
      w: r2(Math.max(0, clamp(d.value) - x(0))),
      labelY: rows[i].labelY,
      value: d.value,
      valueText: pct1(d.value),
      valueX: clamp(end),
      ci: d.ci ? { x1: clamp(d.ci[0]), x2: clamp(d.ci[1]), y: mid, text: `${pct1(d.ci[0])}–${pct1(d.ci[1])}` } : null,
      marker:
        d.marker === null || d.marker === undefined
          ? null
          : { x: clamp(d.marker), y1: by - 2, y2: by + barH + 2, text: pct1(d.marker) },
    };
  });
  return { height: bottom + AXIS_H, plot: { x0: 0, x1: PLOT_END, y0: TOP, y1: bottom }, bars, ticks };
}

export interface GroupedDatum {
  label: string;
  href?: string | null;
  values: number[];
  /** Marks the group (e.g. a significant difference). */
  flag?: boolean;
}

/** As BarGeometry: x in percent of the chart's width, y in px. */
export interface GroupedGeometry {
  height: number;
  plot: { x0: number; x1: number; y0: number; y1: number };
  groups: {
    label: string;
    lines: string[];
    href: string | null;
    /** Baseline of the label's first line. */
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
  ticks: { x: number; text: string; anchor: "start" | "middle" }[];
}

/** Horizontal grouped bars, one bar per series in each group (two models side by side). */
export function groupedBarChart(data: GroupedDatum[], colours: string[], opts: BarOptions = {}): GroupedGeometry {
  const barH = opts.barHeight ?? 13;
  const step = barH + 2;
  const series = Math.max(1, ...data.map((d) => d.values.length));
  const maxData = Math.max(0.05, ...data.flatMap((d) => d.values));
  const { x, ticks, clamp } = shareScale(opts.max ?? maxData);
  const lines = data.map((d) => wrapLabel(d.flag ? `★ ${d.label}` : d.label));
  const { rows, bottom } = stackRows(
    lines.map((l) => l.length),
    series * step - 2,
    12,
  );
  const groups = data.map((d, i) => ({
    label: d.label,
    lines: lines[i],
    href: d.href ?? null,
    labelY: rows[i].labelY,
    flag: d.flag ?? false,
    bars: d.values.map((v, s) => ({
      series: s,
      y: rows[i].barY + s * step,
      h: barH,
      x: x(0),
      w: r2(Math.max(0, clamp(v) - x(0))),
      valueText: pct1(v),
      valueX: clamp(v),
      fill: colours[s % colours.length],
    })),
  }));
  return { height: bottom + AXIS_H, plot: { x0: 0, x1: PLOT_END, y0: TOP, y1: bottom }, groups, ticks };
}

/** A heatmap's row labels wrap at this many characters (at most ~190 px), lines HEATMAP_LINE px apart. */
export const HEATMAP_LABEL_CHARS = 24;
export const HEATMAP_LINE = 13;

export interface HeatmapGeometry {
  width: number;
  height: number;
  cols: { label: string; href: string | null; x: number; y: number }[];
  /** y: the row's middle; lines: its label, wrapped (HEATMAP_LABEL_CHARS). */
  rows: { label: string; lines: string[]; href: string | null; y: number }[];
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
  // row labels wrap, so a phone shows several columns beside them; rows grow to hold their lines
  const lines = rows.map((r) => wrapLabel(r.label, HEATMAP_LABEL_CHARS));
  const maxLines = Math.max(1, ...lines.map((l) => l.length));
  // many rows get flatter cells so the grid stays on a screen or two
  const rowH = opts.rowHeight ?? Math.max(rows.length > 12 ? 30 : cell, maxLines * HEATMAP_LINE + 10);
  const labelWidth = opts.labelWidth ?? labelWidthFor(lines.flat());
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
    rows: rows.map((r, i) => ({
      label: r.label,
      lines: lines[i],
      href: r.href ?? null,
      y: header + i * rowH + rowH / 2,
    })),
    cells,
    legend,
  };
}
