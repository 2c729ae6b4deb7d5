/** Markdown output helpers: numbers, ratios and tables. */

/** A number with about three significant digits. */
export const formatNumber = (n: number): string =>
  !Number.isFinite(n) ? "n/a" : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2)

/** A ratio, e.g. "1.42x". */
export const formatRatio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}x` : "n/a")

/** A Markdown table; the first column is left-aligned, the others right-aligned unless `textColumns`. */
export const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  textColumns = false,
): string => {
  const line = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  const rule = header.map((_, i) => (i === 0 || textColumns ? "---" : "---:"))
  return [line(header), line(rule), ...rows.map(line)].join("\n")
}
