/**
 * The results as Markdown tables (printed to stdout and written into docs/performance.md):
 * medians with p90s, and ratios to node:tls for handshake CPU and latency, bulk MB/s and
 * memory per connection; the curve-op floor, the raw AEAD ceiling, the record costs and
 * the target checks.
 */
import { breakdownTables } from "./breakdownTable.js"
import type { BulkSet } from "./bulk.js"
import { nobleHandshakeLimit } from "./checks.js"
import { type BenchGroup, type ClientName, clientNames } from "./clients.js"
import { setFloorMs } from "./curveOps.js"
import type { HandshakeSet } from "./handshake.js"
import { formatNumber, formatRatio, table } from "./markdown.js"
import type { MemorySet } from "./memory.js"
import { type RecordCell, recordSizes } from "./record.js"
import type { BenchResults, BulkResults, HandshakeResults } from "./results.js"
import type { WarmupSlice } from "./warmup.js"

/** The clients present in `set`, in table order. */
const present = <A>(set: Partial<Record<ClientName, A>>): Array<[ClientName, A]> =>
  clientNames.flatMap((name) => (set[name] === undefined ? [] : [[name, set[name]] as [ClientName, A]]))

const handshakeTable = (set: HandshakeSet): string => {
  const reference = set["node:tls"]
  return table(
    ["client", "CPU ms", "CPU p90", "CPU / node:tls", "main thread ms", "wall ms", "wall p90", "wall / node:tls"],
    present(set).map(([name, s]) => [
      name,
      formatNumber(s.cpuMs.median),
      formatNumber(s.cpuMs.p90),
      formatRatio(s.cpuMs.median / (reference?.cpuMs.median ?? Number.NaN)),
      formatNumber(s.mainCpuMs?.median ?? Number.NaN),
      formatNumber(s.wallMs.median),
      formatNumber(s.wallMs.p90),
      formatRatio(s.wallMs.median / (reference?.wallMs.median ?? Number.NaN)),
    ]),
  )
}

const curveOpsTable = (handshake: HandshakeResults): string => {
  const ops = handshake.curveOps
  const floor = (group: BenchGroup) => setFloorMs(ops, group)
  const noble = (group: BenchGroup) => handshake.sets[group]["effect-tls/noble"]
  const rest = (group: BenchGroup) => (noble(group)?.cpuMs.median ?? Number.NaN) - floor(group)
  const nodeTls = (group: BenchGroup) => handshake.sets[group]["node:tls"]?.cpuMs.median ?? Number.NaN
  const nobleMain = (group: BenchGroup) => noble(group)?.mainCpuMs?.median ?? Number.NaN
  const opsMain = (group: BenchGroup) => ops.mainSetMs?.[group].median ?? Number.NaN
  const row = (label: string, cell: (group: BenchGroup) => string) => [label, cell("x25519"), cell("P-256")]
  const allowance = nobleHandshakeLimit - 1
  return table(
    ["noble layer, CPU ms", "x25519 set", "P-256 set"],
    [
      [
        "key share + shared secret",
        formatNumber(ops.x25519AgreementMs.median),
        formatNumber(ops.p256AgreementMs.median),
      ],
      row("ECDSA P-256 verify (x2)", () => formatNumber(ops.ecdsaVerifyMs.median)),
      row("curve ops per handshake", (g) => formatNumber(floor(g))),
      row("handshake", (g) => formatNumber(noble(g)?.cpuMs.median ?? Number.NaN)),
      row("handshake / curve ops", (g) => formatRatio((noble(g)?.cpuMs.median ?? Number.NaN) / floor(g))),
      row("everything else (handshake - curve ops)", (g) => formatNumber(rest(g))),
      row(`allowed at ${nobleHandshakeLimit}x (${allowance.toFixed(1)} x curve ops)`, (g) =>
        formatNumber(allowance * floor(g)),
      ),
      row("everything else / node:tls handshake", (g) => formatRatio(rest(g) / nodeTls(g))),
      row("main thread: curve ops", (g) => formatNumber(opsMain(g))),
      row("main thread: handshake", (g) => formatNumber(nobleMain(g))),
      row("main thread: handshake / curve ops", (g) => formatRatio(nobleMain(g) / opsMain(g))),
    ],
  )
}

/** CPU per handshake over the slices of the warm-up rounds, then over the measured rounds. */
const warmupTable = (slices: ReadonlyArray<WarmupSlice>, set: HandshakeSet, curveOpsMs: number): string => {
  const noble = (cpuMs: Partial<Record<ClientName, number>>) => cpuMs["effect-tls/noble"] ?? Number.NaN
  return table(
    ["CPU ms", ...slices.map((s) => `rounds ${s.fromRound + 1}-${s.toRound}`), "measured"],
    [
      ...present(set).map(([name, s]) => [
        name,
        ...slices.map((slice) => formatNumber(slice.cpuMs[name] ?? Number.NaN)),
        formatNumber(s.cpuMs.median),
      ]),
      ["noble curve ops", ...slices.map((slice) => formatNumber(slice.curveOpsMs)), formatNumber(curveOpsMs)],
      [
        "noble / curve ops",
        ...slices.map((slice) => formatRatio(noble(slice.cpuMs) / slice.curveOpsMs)),
        formatRatio((set["effect-tls/noble"]?.cpuMs.median ?? Number.NaN) / curveOpsMs),
      ],
    ],
  )
}

const bulkTable = (bulk: BulkResults): string => {
  const { aes, chacha } = bulk.suites
  const cells = (set: BulkSet, name: ClientName) => {
    const s = set[name]
    const reference = set["node:tls"]?.mbps.median ?? Number.NaN
    return s === undefined
      ? ["-", "-", "-"]
      : [formatNumber(s.mbps.median), formatRatio(s.mbps.median / reference), formatNumber(s.cpuMsPerMB.median)]
  }
  return table(
    ["client", "AES-128-GCM MB/s", "/ node:tls", "CPU ms/MB", "ChaCha20 MB/s", "/ node:tls", "CPU ms/MB"],
    present(aes).map(([name]) => [name, ...cells(aes, name), ...cells(chacha, name)]),
  )
}

/** The raw open rates, and each layer's downloads over the raw rate measured around them (median). */
const rawOpenTable = (bulk: BulkResults): string =>
  table(
    ["layer", "AES-128-GCM raw open MB/s", "bulk / raw", "ChaCha20 raw open MB/s", "bulk / raw"],
    (["noble", "node", "webcrypto"] as const).map((layer) => {
      const raw = bulk.rawOpen[layer]
      const paired = (suite: "aes" | "chacha") =>
        bulk.suites[suite][`effect-tls/${layer}`]?.perRawOpen?.median ?? Number.NaN
      return [
        layer,
        formatNumber(raw.aes.median),
        formatRatio(paired("aes")),
        formatNumber(raw.chacha.median),
        formatRatio(paired("chacha")),
      ]
    }),
  )

const kib = (bytes: number) => formatNumber(bytes / 1024)

const memoryTable = (memory: MemorySet): string => {
  const reference = memory["node:tls"]?.heapAndExternalPerConnection ?? Number.NaN
  return table(
    ["client", "heap+external KiB/conn", "/ node:tls", "heapUsed KiB/conn", "RSS KiB/conn", "open all, s"],
    present(memory).map(([name, m]) => [
      name,
      kib(m.heapAndExternalPerConnection),
      formatRatio(m.heapAndExternalPerConnection / reference),
      kib(m.heapUsedPerConnection),
      kib(m.rssPerConnection),
      formatNumber(m.openSeconds),
    ]),
  )
}

const recordTable = (cells: ReadonlyArray<RecordCell>): string => {
  const find = (path: string, op: string, size: number) =>
    cells.find((c) => c.path === path && c.op === op && c.size === size)
  const pairs = [
    ["engine", "read", "engine: feed + read"],
    ["engine", "write", "engine: write + drain"],
    ["stream", "read", "TlsConnection.read"],
    ["stream", "write", "TlsConnection.write"],
  ] as const
  return table(
    ["no-op cipher", ...recordSizes.flatMap((size) => [`${size} B: µs/record`, `${size} B: MB/s`])],
    pairs.map(([path, op, label]) => [
      label,
      ...recordSizes.flatMap((size) => {
        const cell = find(path, op, size)
        return cell === undefined ? ["-", "-"] : [formatNumber(cell.usPerRecord.median), formatNumber(cell.mbps)]
      }),
    ]),
  )
}

const checksTable = (results: BenchResults): string =>
  table(
    ["target", "measured", "result"],
    results.checks.map((c) => [c.target, c.measured, c.pass ? "pass" : "**FAIL**"]),
    true,
  )

/** Every table the run has data for, with headings, as Markdown. */
export const resultTables = (results: BenchResults): string => {
  const parts: Array<string> = []
  const { handshake, bulk, memory, record, breakdown } = results
  if (handshake !== undefined) {
    const runs = results.settings.handshakeRuns
    for (const group of ["x25519", "P-256"] as const) {
      parts.push(
        `#### Full handshakes, ${group} (median of ${runs}; lower is better)`,
        handshakeTable(handshake.sets[group]),
      )
    }
    parts.push(
      `#### Noble handshake against its curve operations (median of ${results.settings.curveOpRuns}, timed between the rounds of handshakes)`,
      curveOpsTable(handshake),
    )
    for (const group of ["x25519", "P-256"] as const) {
      const slices = handshake.warmup[group]
      if (slices.length === 0) continue
      parts.push(
        `#### While V8 compiles: the warm-up rounds, ${group} (median CPU ms per handshake per slice of rounds; not in the figures above)`,
        warmupTable(slices, handshake.sets[group], setFloorMs(handshake.curveOps, group)),
      )
    }
  }
  if (bulk !== undefined) {
    const mib = results.settings.bulkBytes / 2 ** 20
    parts.push(
      `#### Bulk download of ${mib} MiB (median of every download in ${results.settings.bulkRepetitions} rounds, each client downloading for at least ${results.settings.bulkTurnSeconds} s per round; higher is better)`,
      bulkTable(bulk),
      "#### Bulk against the raw AEAD open rate (16 KiB records; bulk / raw: median over downloads of each one's rate over the raw rate just before and after it)",
      rawOpenTable(bulk),
    )
  }
  if (memory !== undefined) {
    parts.push(
      `#### Memory per idle connection (${results.settings.memoryConnections} connections; lower is better)`,
      memoryTable(memory),
    )
  }
  if (record !== undefined) parts.push("#### Cost per record with a no-op cipher (median)", recordTable(record))
  if (breakdown !== undefined) parts.push(breakdownTables(breakdown))
  if (results.checks.length > 0) parts.push("#### Targets", checksTable(results))
  return parts.join("\n\n")
}
