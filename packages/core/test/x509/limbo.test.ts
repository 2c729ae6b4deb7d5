/**
 * x509-limbo (C2SP): every SERVER case of test/fixtures/x509/limbo.json through
 * `verifyServerChain`. Cases in limbo-expected-failures.json are skipped or expected to
 * differ, with reasons; the list is checked exactly, and no case that the suite expects
 * rejected may be accepted.
 */
import { readFileSync } from "node:fs"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type LimboCase, loadLimbo, runLimboCase } from "./limboCases.js"

interface Listed {
  readonly id: string
  readonly reason: string
}

const listed = JSON.parse(
  readFileSync(new URL("../fixtures/x509/limbo-expected-failures.json", import.meta.url), "utf8"),
) as { skip: Array<Listed>; fail: Array<Listed> }

const serverCases = loadLimbo().filter((testCase) => testCase.validation_kind === "SERVER")
const byId = new Map(serverCases.map((testCase) => [testCase.id, testCase]))
const skipped = new Set(listed.skip.map((entry) => entry.id))
const expectedToDiffer = new Set(listed.fail.map((entry) => entry.id))
const run = serverCases.filter((testCase) => !skipped.has(testCase.id))
let passed = 0

// Each case takes milliseconds; the timeout only allows for a busy machine.
describe("x509-limbo", { timeout: 30_000 }, () => {
  it("the list of skipped and differing cases names SERVER cases once each, with reasons", () => {
    const ids = [...listed.skip, ...listed.fail].map((entry) => entry.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const entry of [...listed.skip, ...listed.fail]) {
      expect(byId.has(entry.id), entry.id).toBe(true)
      expect(entry.reason.length).toBeGreaterThan(10)
    }
  })

  it("lists no case that the suite expects rejected as differing (we never accept those)", () => {
    const accepted = listed.fail.filter((entry) => byId.get(entry.id)?.expected_result === "FAILURE")
    expect(accepted).toEqual([])
  })

  it("runs every SERVER case that is not skipped", () => {
    expect(serverCases.length).toBe(198)
    expect(run.length).toBe(serverCases.length - listed.skip.length)
  })

  for (const testCase of run) {
    it.effect(testCase.id, () =>
      Effect.gen(function* () {
        const outcome = yield* runLimboCase(testCase as LimboCase)
        if (outcome.failure !== undefined) expect(outcome.failure.reason._tag).toBe("Certificate")
        if (expectedToDiffer.has(testCase.id)) {
          expect(outcome.actual, "listed as differing but now passes: remove it from the list").not.toBe(
            testCase.expected_result,
          )
        } else {
          expect(outcome.actual, outcome.failure?.message).toBe(testCase.expected_result)
          passed++
        }
      }),
    )
  }

  afterAll(() => {
    const rate = ((100 * passed) / run.length).toFixed(1)
    console.log(
      `x509-limbo: ${passed}/${run.length} SERVER cases pass (${rate}%), ${listed.fail.length} differ as listed, ${listed.skip.length} skipped (of ${serverCases.length})`,
    )
  })
})
