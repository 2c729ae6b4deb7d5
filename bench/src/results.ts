/**
 * The results of a run, as `bench/results.json` holds them: every median and p90, the run
 * counts and the machine. Quick and partial runs go to `bench/out/` instead, so that they
 * never replace the numbers of a full run.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import type { BreakdownResults } from "./breakdown.js"
import type { BulkSet, BulkSuite } from "./bulk.js"
import type { Check } from "./checks.js"
import type { BenchGroup } from "./clients.js"
import type { CurveOpsStats } from "./curveOps.js"
import type { HandshakeSet } from "./handshake.js"
import type { Machine } from "./machine.js"
import type { MemorySet } from "./memory.js"
import type { RawOpenRates } from "./rawAead.js"
import type { RecordCell } from "./record.js"
import type { WarmupSlice } from "./warmup.js"

/** The sizes a run used (from the flags). */
export interface Settings {
  readonly quick: boolean
  readonly sections: ReadonlyArray<string>
  readonly handshakeRuns: number
  readonly handshakeWarmup: number
  readonly breakdownWarmup: number
  readonly curveOpRuns: number
  readonly bulkBytes: number
  /** Rounds of downloads. */
  readonly bulkRepetitions: number
  /** Seconds of downloading a client's turn lasts at least (one download when 0). */
  readonly bulkTurnSeconds: number
  readonly memoryConnections: number
  readonly memoryConcurrency: number
  /** Milliseconds per cell of the raw AEAD and record measurements. */
  readonly cellMs: number
}

/** Section 1. */
export interface HandshakeResults {
  readonly sets: Record<BenchGroup, HandshakeSet>
  readonly curveOps: CurveOpsStats
  /** The warm-up rounds, in slices: CPU per handshake while V8 compiles. */
  readonly warmup: Record<BenchGroup, ReadonlyArray<WarmupSlice>>
}

/** Section 2. */
export interface BulkResults {
  readonly suites: Record<BulkSuite, BulkSet>
  readonly rawOpen: RawOpenRates
}

/** Everything a run measured. */
export interface BenchResults {
  readonly machine: Machine
  readonly settings: Settings
  readonly handshake?: HandshakeResults
  readonly bulk?: BulkResults
  readonly memory?: MemorySet
  readonly record?: ReadonlyArray<RecordCell>
  readonly breakdown?: BreakdownResults
  readonly checks: ReadonlyArray<Check>
}

/** Writes `results` as indented JSON to `path` (creating its directory). */
export const writeResults = (path: string, results: BenchResults): void => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`)
}
