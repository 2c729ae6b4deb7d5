/**
 * The `pnpm bench` section of docs/performance.md: everything between
 * `<!-- bench:begin -->` and `<!-- bench:end -->` is rewritten with the run's machine and
 * load, the chart, the tables and how to reproduce; the rest of the file (the crypto-bench
 * block included) is kept as it is.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import type { BenchResults } from "./results.js"
import { resultTables } from "./table.js"

const begin = "<!-- bench:begin -->"
const end = "<!-- bench:end -->"

/** The Markdown between the markers for `results`; `chart` is the SVG's file name next to the page. */
export const benchSection = (results: BenchResults, chart: string | undefined): string => {
  const m = results.machine
  const load = (values: ReadonlyArray<number>) => values.map((v) => v.toFixed(2)).join(", ")
  return [
    `Measured ${m.date.slice(0, 16).replace("T", " ")} UTC at commit ${m.commit} on ${m.cpus} x ${m.model} (${m.platform}), ` +
      `Node ${m.node}, ${m.openssl.replace(/ \(Library:.*\)$/, "")}, subtls ${m.subtls}; the run took ${m.seconds} s. ` +
      `Load average (1, 5, 15 min) before: ${load(m.loadBefore)}; after: ${load(m.loadAfter)}.` +
      (results.settings.quick ? " **Quick run: small counts, rough numbers.**" : ""),
    ...(chart === undefined ? [] : [`![Ratios to node:tls per measure and client](${chart})`]),
    resultTables(results),
    [
      "Reproduce with `pnpm bench` (every section, full counts; it rewrites this section,",
      "`docs/performance-bench.svg` and `bench/results.json`), `pnpm bench --quick` (small counts),",
      "`pnpm bench --only handshake,bulk,memory,record` (any subset) and `--runs N` (handshakes per",
      "client and curve-op runs). Quick and partial runs write to `bench/out/` and leave this page",
      "alone. What each number means: `bench/README.md`.",
    ].join("\n"),
  ].join("\n\n")
}

/** Replaces the marked block of the page at `path` (appending a marked block when there is none). */
export const rewriteBenchSection = (path: string, section: string): void => {
  const page = existsSync(path) ? readFileSync(path, "utf8") : ""
  const block = `${begin}\n${section}\n${end}`
  const from = page.indexOf(begin)
  const to = page.indexOf(end)
  const next =
    from >= 0 && to > from
      ? `${page.slice(0, from)}${block}${page.slice(to + end.length)}`
      : `${page.trimEnd()}\n\n${block}\n`
  writeFileSync(path, next)
}
