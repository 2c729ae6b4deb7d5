/**
 * Section 4, our cost per record with the cipher taken out: fabricated records through a
 * no-op AEAD, (a) through the engine (`feed` + `read`; `write` + `drain` per record) and (b)
 * through the public stream API (`TlsConnection.read` / `write` over an in-memory wire),
 * for 16 KiB and 100-byte payloads. Received records come in chunks of about 64 KiB, as a
 * socket hands them over. What is left is framing, record-layer bookkeeping and Effect.
 */
import type { EngineRequirements, TlsEngine } from "@effect-tls/core"
import type { TlsConnection } from "@effect-tls/transport"
import { Effect, Exit, ManagedRuntime, Option, Scope } from "effect"
import {
  establishedConnection,
  establishedEngine,
  fabricatedRecords,
  makeFeed,
  type RecordFeed,
  recordLayer,
} from "./recordHarness.js"
import { type Spread, spread } from "./stats.js"

/** One measured cell. */
export interface RecordCell {
  readonly path: "engine" | "stream"
  readonly op: "read" | "write"
  /** Payload bytes per record. */
  readonly size: number
  readonly usPerRecord: Spread
  /** Payload MB/s (the median sample's). */
  readonly mbps: number
  readonly recordsPerSample: number
}

/** The record sizes measured. */
export const recordSizes = [16384, 100] as const

const chunkBytes = 64 * 1024
const minSamples = 5

/** Records per sample: enough to dwarf the per-sample overhead. */
const recordsPerSample = (size: number): number => (size >= 16384 ? 64 : 1024)

/**
 * A cell's operation: handles about `records` records and returns the payload bytes it
 * handled (a read may return the plaintext of several records at once); fails on anything
 * unexpected.
 */
type Run = (records: number) => Effect.Effect<number, unknown, EngineRequirements>

const check = (ok: boolean, what: string) => (ok ? Effect.void : Effect.dieMessage(what))

/** Feeds whole chunks and reads each one out completely. */
const engineRead = (engine: TlsEngine, feed: RecordFeed, size: number): Run => {
  const wantRead = Option.some(new Uint8Array(0))
  const next = Effect.catchIf(
    engine.read,
    (error) => error._tag === "WantRead",
    () => Effect.succeed(wantRead),
  )
  return (records) =>
    Effect.gen(function* () {
      const perChunk = feed.chunk.length / (size + 22)
      let bytes = 0
      while (bytes < records * size) {
        yield* engine.feed(feed.chunk)
        let fromChunk = 0
        for (;;) {
          const plaintext = yield* next
          if (plaintext === wantRead) break
          if (Option.isNone(plaintext)) return yield* Effect.dieMessage("unexpected close_notify")
          fromChunk += plaintext.value.length
        }
        yield* check(fromChunk === perChunk * size, `read ${fromChunk} bytes from a chunk of ${perChunk * size}`)
        bytes += fromChunk
      }
      return bytes
    })
}

const engineWrite =
  (engine: TlsEngine, size: number): Run =>
  (records) =>
    Effect.gen(function* () {
      const data = new Uint8Array(size)
      for (let i = 0; i < records; i++) {
        yield* engine.write(data)
        const sent = yield* engine.drain
        yield* check(sent.length === 5 + size + 1 + 16, `a record of ${sent.length} bytes for ${size}`)
      }
      return records * size
    })

const streamRead =
  (connection: TlsConnection, size: number): Run =>
  (records) =>
    Effect.gen(function* () {
      let bytes = 0
      while (bytes < records * size) {
        const plaintext = yield* connection.read
        if (Option.isNone(plaintext)) return yield* Effect.dieMessage("unexpected close_notify")
        bytes += plaintext.value.length
      }
      return bytes
    })

const streamWrite =
  (connection: TlsConnection, feed: RecordFeed, size: number): Run =>
  (records) =>
    Effect.gen(function* () {
      const data = new Uint8Array(size)
      const before = feed.written
      for (let i = 0; i < records; i++) yield* connection.write(data)
      yield* check(feed.written - before === records * (5 + size + 1 + 16), "unexpected bytes on the wire")
      return records * size
    })

/** Samples of `run` for at least `cellMs`, after a quarter of that as warm-up: µs per record. */
const sampled = async (
  runtime: ManagedRuntime.ManagedRuntime<EngineRequirements, never>,
  run: Run,
  records: number,
  size: number,
  cellMs: number,
): Promise<Array<number>> => {
  const timed = Effect.suspend(() => {
    const start = performance.now()
    return Effect.map(run(records), (bytes) => ((performance.now() - start) * 1000) / (bytes / size))
  })
  const warm = performance.now()
  for (let i = 0; i < minSamples || performance.now() - warm < cellMs / 4; i++) await runtime.runPromise(timed)
  const samples: Array<number> = []
  const start = performance.now()
  while (samples.length < minSamples || performance.now() - start < cellMs)
    samples.push(await runtime.runPromise(timed))
  return samples
}

const cell = (
  path: RecordCell["path"],
  op: RecordCell["op"],
  size: number,
  samples: Array<number>,
  records: number,
): RecordCell => {
  const usPerRecord = spread(samples)
  return { path, op, size, usPerRecord, mbps: size / usPerRecord.median, recordsPerSample: records }
}

/** Every cell: both paths, read and write, each record size; `cellMs` per cell. */
export const runRecordCells = async (cellMs: number): Promise<Array<RecordCell>> => {
  const feed = makeFeed()
  const runtime = ManagedRuntime.make(recordLayer(feed))
  const scope = Effect.runSync(Scope.make())
  try {
    const engine = await runtime.runPromise(establishedEngine(feed))
    feed.noop.on = false
    const connection = await runtime.runPromise(Scope.extend(establishedConnection(feed), scope))
    const cells: Array<RecordCell> = []
    for (const size of recordSizes) {
      const records = recordsPerSample(size)
      feed.chunk = fabricatedRecords(size, Math.max(1, Math.floor(chunkBytes / (size + 22))))
      const runs: ReadonlyArray<[RecordCell["path"], RecordCell["op"], Run]> = [
        ["engine", "read", engineRead(engine, feed, size)],
        ["engine", "write", engineWrite(engine, size)],
        ["stream", "read", streamRead(connection, size)],
        ["stream", "write", streamWrite(connection, feed, size)],
      ]
      for (const [path, op, run] of runs) {
        cells.push(cell(path, op, size, await sampled(runtime, run, records, size, cellMs), records))
      }
    }
    return cells
  } finally {
    await runtime.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
  }
}
