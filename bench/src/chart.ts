/**
 * The chart of a run, as hand-written SVG: for each measure (handshake CPU and latency per
 * group, bulk MB/s per suite, memory per connection), one horizontal bar per client giving
 * its ratio to node:tls on a log scale, drawn from the 1x line (node:tls) towards the value.
 */
import type { ClientName } from "./clients.js"
import { formatRatio } from "./markdown.js"
import type { BenchResults } from "./results.js"

interface Bar {
  readonly client: ClientName
  readonly ratio: number
}

interface Measure {
  readonly label: string
  readonly lowerIsBetter: boolean
  readonly bars: ReadonlyArray<Bar>
}

const compared: ReadonlyArray<ClientName> = ["effect-tls/noble", "effect-tls/node", "effect-tls/webcrypto", "subtls"]

const colors: Readonly<Record<ClientName, string>> = {
  "node:tls": "#444444",
  "effect-tls/noble": "#7b3294",
  "effect-tls/node": "#1b7837",
  "effect-tls/webcrypto": "#2166ac",
  subtls: "#e08214",
}

/** Ratios to node:tls of `value` over the compared clients present in `set`. */
const ratios = <A>(set: Partial<Record<ClientName, A>> | undefined, value: (a: A) => number): Array<Bar> => {
  const reference = set?.["node:tls"]
  if (set === undefined || reference === undefined) return []
  return compared.flatMap((client) => {
    const entry = set[client]
    return entry === undefined ? [] : [{ client, ratio: value(entry) / value(reference) }]
  })
}

/** The measures of a run that have a node:tls reference. */
const measures = (results: BenchResults): Array<Measure> => {
  const sets = results.handshake?.sets
  const suites = results.bulk?.suites
  const all: Array<Measure> = [
    { label: "Handshake CPU, x25519", lowerIsBetter: true, bars: ratios(sets?.x25519, (s) => s.cpuMs.median) },
    { label: "Handshake CPU, P-256", lowerIsBetter: true, bars: ratios(sets?.["P-256"], (s) => s.cpuMs.median) },
    { label: "Handshake latency, x25519", lowerIsBetter: true, bars: ratios(sets?.x25519, (s) => s.wallMs.median) },
    { label: "Handshake latency, P-256", lowerIsBetter: true, bars: ratios(sets?.["P-256"], (s) => s.wallMs.median) },
    { label: "Bulk MB/s, AES-128-GCM", lowerIsBetter: false, bars: ratios(suites?.aes, (s) => s.mbps.median) },
    { label: "Bulk MB/s, ChaCha20", lowerIsBetter: false, bars: ratios(suites?.chacha, (s) => s.mbps.median) },
    {
      label: "Memory per connection",
      lowerIsBetter: true,
      bars: ratios(results.memory, (m) => m.heapAndExternalPerConnection),
    },
  ]
  return all.filter((m) => m.bars.length > 0)
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const text = (x: number, y: number, content: string, attributes = ""): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attributes === "" ? "" : ` ${attributes}`}>${escapeXml(content)}</text>`

/** The SVG of a run's ratios to node:tls, or `undefined` when it has none. */
export const renderChart = (results: BenchResults): string | undefined => {
  const groups = measures(results)
  if (groups.length === 0) return undefined
  const values = groups.flatMap((g) => g.bars.map((b) => b.ratio)).filter((r) => Number.isFinite(r) && r > 0)
  const low = 2 ** Math.floor(Math.log2(Math.min(0.5, ...values)))
  const high = 2 ** Math.ceil(Math.log2(Math.max(2, ...values)))
  const width = 900
  const left = 330
  const right = width - 90
  const barHeight = 14
  const gap = 4
  const scale = (r: number) =>
    left + ((Math.log(r) - Math.log(low)) / (Math.log(high) - Math.log(low))) * (right - left)
  const top = 70
  const groupHeight = (g: Measure) => 22 + g.bars.length * (barHeight + gap) + 10
  const height = top + groups.reduce((sum, g) => sum + groupHeight(g), 0) + 30
  const out: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(
      16,
      24,
      "effect-tls and subtls relative to node:tls (1x = node:tls, log scale)",
      'font-size="15" font-weight="600"',
    ),
    text(
      16,
      44,
      `${results.machine.date.slice(0, 10)}, ${results.machine.cpus} x ${results.machine.model}, Node ${results.machine.node}`,
      'fill="#666666"',
    ),
  ]
  for (let k = Math.log2(low); k <= Math.log2(high); k++) {
    const r = 2 ** k
    const x = scale(r)
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 8}" x2="${x.toFixed(1)}" y2="${height - 26}" stroke="${r === 1 ? "#444444" : "#e4e4e4"}" stroke-width="${r === 1 ? 1.5 : 1}"/>`,
      text(x, height - 10, r >= 1 ? `${r}x` : `1/${1 / r}x`, 'text-anchor="middle" fill="#666666"'),
    )
  }
  let y = top
  for (const group of groups) {
    out.push(
      text(16, y + 12, `${group.label} (${group.lowerIsBetter ? "lower" : "higher"} is better)`, 'font-weight="600"'),
    )
    y += 22
    for (const bar of group.bars) {
      const x1 = scale(1)
      const x2 = Number.isFinite(bar.ratio) && bar.ratio > 0 ? scale(bar.ratio) : x1
      out.push(
        text(28, y + barHeight - 3, bar.client),
        `<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(x2 - x1)).toFixed(1)}" height="${barHeight}" fill="${colors[bar.client]}"/>`,
        text(Math.max(x1, x2) + 4, y + barHeight - 3, formatRatio(bar.ratio)),
      )
      y += barHeight + gap
    }
    y += 10
  }
  out.push("</svg>")
  return `${out.join("\n")}\n`
}
