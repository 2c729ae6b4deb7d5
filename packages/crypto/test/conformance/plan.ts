/**
 * The shape shared by the per-primitive runners: each turns a vector file into a plan of
 * cases (plus a count of cases it cannot express and skips), and `execute` runs a plan
 * against the `TlsCrypto` in context and gathers the findings and counts.
 */
import { type CryptoError, TlsCrypto, type TlsCryptoService } from "@effect-tls/crypto"
import { Effect } from "effect"
import { decide, type Family } from "./decisions.js"
import { check, type Verdict } from "./outcome.js"
import type { TestCase, VectorName, WycheproofResult } from "./vectors.js"

/** One vector case, ready to run. */
export interface PlannedCase {
  readonly tcId: number
  readonly result: WycheproofResult
  /** The case's checks: one entry per check, `undefined` when it passed, else a finding. */
  readonly run: Effect.Effect<ReadonlyArray<string | undefined>, never, TlsCrypto>
}

/** A vector file turned into runnable cases. */
export interface Plan {
  readonly file: VectorName
  readonly cases: ReadonlyArray<PlannedCase>
  /** Cases outside what TLS uses or what the interface can express (each runner says which). */
  readonly skipped: number
}

/** What running a plan found. */
export interface FileReport {
  readonly file: VectorName
  /** Cases run, by Wycheproof result. */
  readonly run: Readonly<Record<WycheproofResult, number>>
  readonly skipped: number
  readonly checks: number
  readonly findings: ReadonlyArray<string>
}

/** Runs every case of `plan` in order and collects its findings. */
export const execute = (plan: Plan): Effect.Effect<FileReport, never, TlsCrypto> =>
  Effect.map(
    Effect.forEach(plan.cases, (planned) => planned.run),
    (results) => {
      const run: Record<WycheproofResult, number> = { valid: 0, invalid: 0, acceptable: 0 }
      for (const planned of plan.cases) run[planned.result]++
      const checks = results.flat()
      return {
        file: plan.file,
        run,
        skipped: plan.skipped,
        checks: checks.length,
        findings: checks.filter((finding): finding is string => finding !== undefined),
      }
    },
  )

/** The label that starts every finding about `testCase`. */
export const caseLabel = (file: VectorName, testCase: TestCase): string =>
  `${file} #${testCase.tcId} (${testCase.result}${testCase.comment === "" ? "" : `, ${testCase.comment}`})`

/** A case's verdict (with the label for its findings), or why it has none. */
export type Ruling =
  | { readonly _tag: "Ruled"; readonly verdict: Verdict; readonly label: string }
  | { readonly _tag: "Undecided"; readonly finding: string }

/**
 * The verdict for `testCase`: `valid` must give `success`, `invalid` must give `rejection`,
 * `acceptable` follows the decision table of `family` (accepting means `success`), and the
 * decision's reason goes into the label.
 */
export const rule = (
  file: VectorName,
  testCase: TestCase,
  success: Verdict,
  rejection: Verdict,
  family?: Family,
): Ruling => {
  const label = caseLabel(file, testCase)
  switch (testCase.result) {
    case "valid":
      return { _tag: "Ruled", verdict: success, label }
    case "invalid":
      return { _tag: "Ruled", verdict: rejection, label }
    case "acceptable": {
      const decision = family === undefined ? undefined : decide(family, testCase.flags)
      return decision === undefined
        ? {
            _tag: "Undecided",
            finding: `${label}: acceptable case with flags [${testCase.flags.join(", ")}] has no documented decision`,
          }
        : {
            _tag: "Ruled",
            verdict: decision.accept ? success : rejection,
            label: `${label} [${decision.accept ? "accepted" : "rejected"}: ${decision.reason}]`,
          }
    }
  }
}

/** A planned case from a ruling: an undecided case runs no call and reports itself. */
export const planCase = (
  testCase: TestCase,
  ruling: Ruling,
  run: (verdict: Verdict, label: string) => Effect.Effect<ReadonlyArray<string | undefined>, never, TlsCrypto>,
): PlannedCase => ({
  tcId: testCase.tcId,
  result: testCase.result,
  run: ruling._tag === "Ruled" ? run(ruling.verdict, ruling.label) : Effect.succeed([ruling.finding]),
})

/** A case made of one call on the `TlsCrypto` in context, judged against `verdict`. */
export const checkWith = (
  label: string,
  call: (crypto: TlsCryptoService) => Effect.Effect<unknown, CryptoError>,
  verdict: Verdict,
): Effect.Effect<ReadonlyArray<string | undefined>, never, TlsCrypto> =>
  Effect.flatMap(TlsCrypto, (crypto) =>
    Effect.map(
      check(label, () => call(crypto), verdict),
      (finding) => [finding],
    ),
  )
