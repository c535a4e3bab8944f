/**
 * The benchmark's chart: one small panel per step, seconds against N, one line per scenario.
 * Plain SVG, no dependencies, readable on GitHub and in any browser.
 */

const COLORS: Record<string, string> = {
  strictfloor: "#000000",
  strictfloorshape: "#777777",
  floor: "#555555",
  floorsecret: "#999999",
  milvus: "#1f77b4",
  "milvus-traces": "#aec7e8",
  geminidb: "#2ca02c",
  "geminidb-cql": "#17becf",
  "geminidb-redis": "#bcbd22",
  cassandra: "#e377c2",
  "cassandra-cluster1": "#f7b6d2",
  "cassandra-cluster3": "#ad494a",
  naive: "#d62728",
  "yaml-floor": "#8c564b",
  "yaml-floorshape": "#c49c94",
  "yaml-milvus": "#ff7f0e",
  "python-floor": "#7f7f7f",
  "python-floorshape": "#c5b0d5",
  "python-milvus": "#9467bd",
};
const W = 250;
const H = 190;
const PAD = { left: 44, right: 10, top: 24, bottom: 30 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * `seconds` maps "scenario/N/step" to median seconds. With one N, each panel shows a bar per
 * scenario, labelled with its ratio to its floor (`floorOf`); with several, a line per scenario.
 */
export function chart(
  seconds: Record<string, number>,
  scenarios: string[],
  sizes: number[],
  steps: string[],
  floorOf: (scenario: string) => string | undefined = () => undefined,
): string {
  const panels = steps.map((step, i) =>
    sizes.length === 1
      ? bars(seconds, scenarios, sizes[0], step, i, floorOf)
      : panel(seconds, scenarios, sizes, step, i),
  );
  const legendY = H + 8;
  const legend = scenarios
    .map((s, i) => {
      const x = 10 + (i % 6) * 205;
      const y = legendY + Math.floor(i / 6) * 16;
      return `<line x1="${x}" y1="${y + 6}" x2="${x + 22}" y2="${y + 6}" stroke="${COLORS[s] ?? "#000"}" stroke-width="2.5"/><text x="${x + 28}" y="${y + 10}">${esc(s)}</text>`;
    })
    .join("");
  const width = W * steps.length;
  const height = H + 14 + Math.ceil(scenarios.length / 6) * 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...panels,
    legend,
    `</svg>`,
    "",
  ].join("\n");
}

/** One step at one N: a bar per scenario, its ratio to its floor above it. */
function bars(
  seconds: Record<string, number>,
  scenarios: string[],
  n: number,
  step: string,
  index: number,
  floorOf: (scenario: string) => string | undefined,
): string {
  const x0 = index * W;
  const value = (s: string) => seconds[`${s}/${n}/${step}`];
  const top = niceCeil(Math.max(1, ...scenarios.map(value).filter((v) => v !== undefined)));
  const py = (v: number) => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
  const slot = (W - PAD.left - PAD.right) / scenarios.length;
  const parts = [
    `<text x="${x0 + W / 2}" y="14" text-anchor="middle" font-weight="bold">${esc(step)}, N = ${n}</text>`,
  ];
  for (const t of [0, top / 2, top]) {
    parts.push(`<line x1="${x0 + PAD.left}" y1="${py(t)}" x2="${x0 + W - PAD.right}" y2="${py(t)}" stroke="#dddddd"/>`);
    parts.push(
      `<text x="${x0 + PAD.left - 4}" y="${py(t) + 4}" text-anchor="end">${t % 1 ? t.toFixed(1) : t} s</text>`,
    );
  }
  scenarios.forEach((s, i) => {
    const v = value(s);
    if (v === undefined) return;
    const x = x0 + PAD.left + i * slot + slot * 0.15;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${py(v).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(py(0) - py(v)).toFixed(1)}" fill="${COLORS[s] ?? "#000"}"/>`,
    );
    const floor = floorOf(s);
    const base = floor && floor !== s ? value(floor) : undefined;
    if (base)
      parts.push(
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(py(v) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${(v / base).toFixed(2)}</text>`,
      );
  });
  return `<g>${parts.join("")}</g>`;
}

function panel(
  seconds: Record<string, number>,
  scenarios: string[],
  sizes: number[],
  step: string,
  index: number,
): string {
  const x0 = index * W;
  const values = scenarios.flatMap((s) =>
    sizes.map((n) => seconds[`${s}/${n}/${step}`]).filter((v): v is number => v !== undefined),
  );
  const top = niceCeil(Math.max(1, ...values));
  const nMax = Math.max(...sizes);
  const px = (n: number) => x0 + PAD.left + (n / nMax) * (W - PAD.left - PAD.right);
  const py = (v: number) => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
  const parts = [`<text x="${x0 + W / 2}" y="14" text-anchor="middle" font-weight="bold">${esc(step)}</text>`];
  for (const t of [0, top / 2, top]) {
    parts.push(`<line x1="${px(0)}" y1="${py(t)}" x2="${px(nMax)}" y2="${py(t)}" stroke="#dddddd"/>`);
    parts.push(`<text x="${px(0) - 4}" y="${py(t) + 4}" text-anchor="end">${t % 1 ? t.toFixed(1) : t} s</text>`);
  }
  for (const n of sizes) parts.push(`<text x="${px(n)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${n}</text>`);
  parts.push(`<text x="${px(nMax / 2)}" y="${H - 4}" text-anchor="middle" fill="#666">N resources</text>`);
  for (const s of scenarios) {
    const pts = sizes.map((n) => [n, seconds[`${s}/${n}/${step}`]] as const).filter(([, v]) => v !== undefined);
    if (!pts.length) continue;
    const color = COLORS[s] ?? "#000";
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([n, v]) => `${px(n).toFixed(1)},${py(v).toFixed(1)}`).join(" ")}"/>`,
    );
    for (const [n, v] of pts)
      parts.push(`<circle cx="${px(n).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${color}"/>`);
  }
  return `<g>${parts.join("")}</g>`;
}

/** 1, 2, 5 × 10^k at or above v. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((x) => x >= v)!;
}

/**
 * `npx ts-node --transpile-only -P tsconfig.test.json bench/chart.ts [results.json [out.svg]]`:
 * draws a chart again from a run's results (default bench/results/latest.json to chart.svg),
 * each scenario against the floor of its language host (Node.js: strictfloor when it ran).
 */
if (require.main === module) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const input = process.argv[2] ?? path.join(__dirname, "results", "latest.json");
  const output = process.argv[3] ?? path.join(path.dirname(input), "chart.svg");
  const run = JSON.parse(fs.readFileSync(input, "utf8"));
  const scenarios: string[] = run.scenarios;
  const floorOf = (s: string) => {
    const language = /^(yaml|python)-/.exec(s)?.[1];
    if (language) return `${language}-floor`;
    return scenarios.includes("strictfloor") ? "strictfloor" : "floor";
  };
  fs.writeFileSync(
    output,
    chart(run.medians, scenarios, run.sizes, ["up", "rotate", "preview", "refresh", "destroy"], floorOf),
  );
  console.log(`wrote ${output}`);
}
