/**
 * The short CI version of `pnpm fuzz`: every fuzz target (packages/core/fuzz) with a few
 * thousand inputs, in process and with a fixed seed, so `pnpm test` covers them. Then the
 * harness itself (a failing check is reported with a seed and path that replay it; a slow
 * input fails) and the reducer oracles on inputs that pin their rules down.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { defineTarget, type PreparedTarget, type RunReport } from "../fuzz/target.js"
import { targets } from "../fuzz/targets/index.js"
import { reducerMessagesProperty } from "../fuzz/targets/reducerMessages.js"
import { reducerRecordsProperty } from "../fuzz/targets/reducerRecords.js"

/** Inputs per target in CI. */
const runs: Readonly<Record<string, number>> = { "reducer-records": 1500, "reducer-messages": 1000 }
const seed = 20261127

/**
 * Runs `total` inputs in slices of 250 (each slice its own seed), yielding to the event
 * loop between slices so the test worker stays responsive; stops at the first failure.
 */
const runSliced = async (run: PreparedTarget, total: number): Promise<RunReport | undefined> => {
  for (let done = 0, slice = 0; done < total; slice++) {
    const numRuns = Math.min(250, total - done)
    const report = run({ numRuns, seed: seed + slice })
    if (report.failure !== undefined) return report
    done += report.numRuns
    await new Promise((resolve) => setImmediate(resolve))
  }
  return undefined
}

describe("fuzz targets, short run", () => {
  for (const target of targets) {
    const numRuns = runs[target.name] ?? 2000
    it(`${target.name}: ${numRuns} inputs without a failure`, { timeout: 60_000 }, async () => {
      const failed = await runSliced(await target.prepare(), numRuns)
      const failure = failed?.failure
      expect(
        failure,
        `${failure?.error}\ninput: ${failure?.counterexample}\nreplay: pnpm fuzz --target ${target.name} --seed=${failed?.seed} --path=${failure?.path}`,
      ).toBeUndefined()
    })
  }
})

describe("fuzz harness", () => {
  it("reports a throwing check with a seed and path that replay that very input", async () => {
    const thrower = defineTarget("thrower", "throws on bytes starting with 0xff", () => ({
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }),
      check: (bytes: Uint8Array) => {
        if (bytes[0]! >= 0xf0) throw new RangeError(`bad byte ${bytes[0]}`)
      },
    }))
    const run = await thrower.prepare()
    const report = run({ numRuns: 10_000, seed: 7 })
    expect(report.failure?.error).toContain("RangeError")
    const replayed = run({ numRuns: 1, seed: 7, path: report.failure!.path })
    expect(replayed.failure?.counterexample).toBe(report.failure?.counterexample)
  })

  it("fails an input that takes longer than the budget", async () => {
    const slow = defineTarget("slow", "busy-waits", () => ({
      arbitrary: fc.constant(0),
      check: () => {
        const until = performance.now() + 30
        while (performance.now() < until) {}
      },
    }))
    const report = (await slow.prepare())({ numRuns: 1, seed: 1, inputBudgetMs: 5 })
    expect(report.failure?.error).toContain("budget")
  })
})

const flip = (record: number, at: number) => ({
  op: "edit" as const,
  record,
  edit: { op: "flip" as const, at, bit: 0 },
})

describe("reducer-records oracle (saved after the ServerHello, Ed25519, AES-128-GCM)", () => {
  const { check } = reducerRecordsProperty()
  const input = (ops: ReadonlyArray<Parameters<typeof check>[0]["ops"][number]>, cut: number | null = null) => ({
    scenario: 0,
    ops,
    cut,
    chunks: [7, 100, 200],
  })
  const ccs = (count: number) => ({ op: "insert" as const, at: 1, record: { kind: "ccs" as const, count } })
  const alert = (level: number, description: number) => ({
    op: "insert" as const,
    at: 1,
    record: { kind: "alert" as const, body: Uint8Array.of(level, description) },
  })

  it("the recorded flight, in chunks, ends Established like the baseline", () => check(input([])))
  it("a flip of legacy_record_version (authenticated as AAD) must fail", () => check(input([flip(1, 1)])))
  it("a flip of a length byte must fail", () => check(input([flip(2, 4)])))
  it("a flip of the tag must fail", () => check(input([flip(3, 57)])))
  it("a dropped record must fail", () => check(input([{ op: "drop", record: 1 }])))
  it("a record sent twice must fail", () => check(input([{ op: "duplicate", record: 3 }])))
  it("ChangeCipherSpec records up to the limit are dropped", () => check(input([ccs(16)])))
  it("one ChangeCipherSpec more than the limit must fail", () => check(input([ccs(17)])))
  it("a plaintext close_notify during the handshake closes", () => check(input([alert(1, 0)])))
  it("a plaintext warning user_canceled is ignored", () => check(input([alert(1, 90)])))
  it("a plaintext fatal alert must fail", () => check(input([alert(2, 40)])))
  it("a flight cut short waits (no failure)", () => check(input([], 200)))
})

describe("reducer-messages oracle (handshake messages re-encrypted)", () => {
  const { check } = reducerMessagesProperty()
  const input = (overrides: Partial<Parameters<typeof check>[0]>) => ({
    scenario: 0,
    edits: [],
    sizes: [16384],
    paddings: [0],
    injections: [],
    chunks: [],
    ...overrides,
  })

  it("one byte per record, padded, ends Established like the baseline", () =>
    check(input({ sizes: [1], paddings: [0, 3] })))
  it("all messages in one record ends Established like the baseline", () => check(input({})))
  it("a changed byte in the certificate is never accepted", () =>
    check(input({ edits: [{ op: "flip", at: 120, bit: 2 }] })))
  // The flight's messages take 345 bytes (6 + 231 + 72 + 36): inserting at 345 appends.
  it("a byte after the Finished, in its record, must fail", () =>
    check(input({ edits: [{ op: "insert", at: 345, bytes: Uint8Array.of(0) }] })))
  it("messages cut short wait (no failure)", () => check(input({ edits: [{ op: "truncate", at: 300 }] })))
  it("an empty handshake record must fail", () =>
    check(input({ injections: [{ at: 0, type: 22, content: new Uint8Array(0) }] })))
  it("application data before the Finished must fail", () =>
    check(input({ injections: [{ at: 0, type: 23, content: Uint8Array.of(1) }] })))
})
