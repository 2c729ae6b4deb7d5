/**
 * `pnpm bench`: effect-tls (noble, node and WebCrypto layers) side by side with node:tls and
 * subtls: full handshakes, bulk download, memory per idle connection and our cost per
 * record. Prints the tables and the target checks, writes the raw results as JSON, the
 * chart as SVG and the docs/performance.md section. Run with `node --expose-gc`.
 */
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type BenchArgs, parseBenchArgs, type Section } from "./args.js"
import { runBreakdown } from "./breakdown.js"
import { type BulkSuite, runBulk } from "./bulk.js"
import { renderChart } from "./chart.js"
import { checkTargets } from "./checks.js"
import { cleanupAll, installCleanupHandlers } from "./cleanup.js"
import { type BenchClient, type ClientName, layerOf, makeClients } from "./clients.js"
import { curveOpsStats, makeCurveOpsProbe } from "./curveOps.js"
import { benchSection, rewriteBenchSection } from "./docs.js"
import { runHandshakeSets } from "./handshake.js"
import { machineAtEnd, machineAtStart } from "./machine.js"
import { runMemory } from "./memory.js"
import { makePki } from "./pki.js"
import { checkClientsVerify } from "./preflight.js"
import { makeRawOpenProbe } from "./rawAead.js"
import { runRecordCells } from "./record.js"
import type { BenchResults, BulkResults, HandshakeResults, Settings } from "./results.js"
import { writeResults } from "./results.js"
import { resultTables } from "./table.js"

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..")
const docsDir = join(benchDir, "..", "docs")

/**
 * Handshake rounds before the measured ones, kept apart (see warmup.ts). V8 keeps compiling
 * our code on background threads for the first ~2,500 connections of a path (TurboFan
 * reaches functions that run once per handshake slowly), and process CPU counts those
 * threads: after 20 rounds a node-layer handshake measured 9-10 ms, after 2,500 connections
 * ~6 ms. A round runs the shared engine six times (three layers, two sets) and each noble
 * path twice in handshakes and twice in the curve-op floor, so 1,000 rounds take every
 * client past it; with 300, a noble-only process was still compiling (1.5-3 ms per
 * handshake on other threads against 0.8 ms from 2,250 handshakes on).
 */
const defaultWarmupRounds = 1000

/**
 * Rounds before the breakdown's handshakes. In a full run the process is already warm from
 * the handshake section; `--warmup N` sets both.
 */
const defaultBreakdownWarmupRounds = 300

const settingsFor = (args: BenchArgs): Settings => {
  const handshakeRuns = args.runs ?? (args.quick ? 20 : 200)
  return {
    quick: args.quick,
    sections: args.only,
    handshakeRuns,
    handshakeWarmup: args.warmup ?? (args.quick ? 5 : defaultWarmupRounds),
    breakdownWarmup: args.warmup ?? (args.quick ? 5 : defaultBreakdownWarmupRounds),
    // One run of the curve operations per round of handshakes.
    curveOpRuns: handshakeRuns,
    bulkBytes: (args.quick ? 8 : 64) * 2 ** 20,
    bulkRepetitions: args.quick ? 1 : 5,
    bulkTurnSeconds: args.quick ? 0 : 1,
    memoryConnections: args.quick ? 100 : 1000,
    memoryConcurrency: 20,
    cellMs: args.quick ? 200 : 1000,
  }
}

/**
 * The memory section's clients: per-connection state is the engine's and the transport's,
 * the same for every crypto layer (WebCrypto measured within 5% of node), so two layers.
 */
const memoryClients: ReadonlyArray<ClientName> = ["node:tls", "effect-tls/noble", "effect-tls/node", "subtls"]

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

/** Runs `task`, logging its name before and its duration after. */
const step = async <A>(name: string, task: () => Promise<A>): Promise<A> => {
  log(`${name}...`)
  const start = performance.now()
  const result = await task()
  log(`${name}: ${((performance.now() - start) / 1000).toFixed(1)} s`)
  return result
}

const run = async (args: BenchArgs): Promise<void> => {
  if (globalThis.gc === undefined) throw new Error("run with node --expose-gc (pnpm bench does)")
  const startedAt = performance.now()
  const machine = machineAtStart()
  const settings = settingsFor(args)
  const wanted = (section: Section) => args.only.includes(section)
  const pki = makePki()
  const clients = await makeClients(pki.rootPem)
  try {
    let handshake: HandshakeResults | undefined
    if (wanted("handshake")) {
      await step("every client refuses an impostor certificate", () => checkClientsVerify(clients.all))
      const { handshakeRuns: runs, handshakeWarmup: warmup } = settings
      const probe = await makeCurveOpsProbe(pki)
      try {
        const measured = await step("handshakes and noble curve ops, x25519 and P-256 in turn", () =>
          runHandshakeSets(pki, clients.all, runs, warmup, probe),
        )
        handshake = { sets: measured.sets, curveOps: curveOpsStats(measured.curveOps), warmup: measured.warmup }
      } finally {
        await probe.dispose()
      }
    }
    let bulk: BulkResults | undefined
    if (wanted("bulk")) {
      const rawOpen = makeRawOpenProbe()
      try {
        // A slice of raw opens just before and just after each download of an effect-tls layer.
        const sliceMs = settings.cellMs / settings.bulkRepetitions
        const rawOpenRate = (client: BenchClient, suite: BulkSuite) => {
          const layer = layerOf(client.name)
          return layer === undefined ? undefined : rawOpen.sample(layer, suite, sliceMs)
        }
        const suites = await step("bulk downloads, each beside raw AEAD opens", () =>
          runBulk(
            pki,
            clients.all,
            settings.bulkBytes,
            settings.bulkRepetitions,
            settings.bulkTurnSeconds,
            rawOpenRate,
          ),
        )
        bulk = { suites, rawOpen: rawOpen.rates() }
      } finally {
        await rawOpen.dispose()
      }
    }
    const memory = wanted("memory")
      ? await step("memory", () =>
          runMemory(pki, memoryClients, settings.memoryConnections, settings.memoryConcurrency),
        )
      : undefined
    const record = wanted("record") ? await step("records", () => runRecordCells(settings.cellMs)) : undefined
    const breakdown = wanted("breakdown")
      ? await step("where the time goes: timed crypto, per-thread CPU", () =>
          runBreakdown(pki, settings.handshakeRuns, settings.breakdownWarmup, settings.bulkBytes),
        )
      : undefined
    const results: BenchResults = {
      machine: machineAtEnd(machine, startedAt),
      settings,
      ...(handshake === undefined ? {} : { handshake }),
      ...(bulk === undefined ? {} : { bulk }),
      ...(memory === undefined ? {} : { memory }),
      ...(record === undefined ? {} : { record }),
      ...(breakdown === undefined ? {} : { breakdown }),
      checks: checkTargets(handshake, bulk),
    }
    report(results, args.complete)
  } finally {
    await clients.dispose()
    pki.remove()
  }
}

/** Prints the tables and writes the JSON, the chart and the docs section where the run belongs. */
const report = (results: BenchResults, complete: boolean): void => {
  console.log(resultTables(results))
  const outDir = complete ? docsDir : join(benchDir, "out")
  const resultsPath = complete ? join(benchDir, "results.json") : join(outDir, "results.json")
  writeResults(resultsPath, results)
  const chart = renderChart(results)
  const chartName = "performance-bench.svg"
  if (chart !== undefined) writeFileSync(join(outDir, chartName), chart)
  const section = benchSection(results, chart === undefined ? undefined : chartName)
  if (complete) rewriteBenchSection(join(docsDir, "performance.md"), section)
  else writeFileSync(join(outDir, "performance.md"), `${section}\n`)
  log(`wrote ${resultsPath}${chart === undefined ? "" : `, ${join(outDir, chartName)}`} and the docs section`)
  const failed = results.checks.filter((c) => !c.pass).length
  log(
    `${results.checks.length - failed} of ${results.checks.length} targets met; the run took ${results.machine.seconds} s`,
  )
}

installCleanupHandlers()
try {
  await run(parseBenchArgs(process.argv.slice(2)))
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  cleanupAll()
  process.exitCode = 1
}
