/**
 * How one call into a `TlsCrypto` layer ended, and the judgement of that ending against
 * what a vector demands. A layer may answer with a value or a typed `CryptoError`; a
 * defect, a thrown exception or any other failure is always a finding.
 */
import type { CryptoError } from "@effect-tls/crypto"
import { Cause, Effect, Exit } from "effect"
import { toHex } from "./hex.js"

/** The tag of a `CryptoError`. */
export type CryptoErrorTag = CryptoError["_tag"]

const cryptoErrorTags: Readonly<Record<CryptoErrorTag, true>> = {
  AeadOpenFailed: true,
  InvalidPeerShare: true,
  BadSignature: true,
  MalformedKey: true,
  UnsupportedAlgorithm: true,
  InvalidLength: true,
}

const errorTag = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { readonly _tag?: unknown })._tag : undefined

const isCryptoErrorTag = (tag: unknown): tag is CryptoErrorTag =>
  typeof tag === "string" && Object.hasOwn(cryptoErrorTags, tag)

/** The end of one call. */
export type Outcome<A> =
  | { readonly _tag: "Value"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: CryptoErrorTag }
  | { readonly _tag: "Defect"; readonly detail: string }

/**
 * Runs `call` (built lazily, so a synchronous throw while building it is caught too) and
 * classifies its exit. Never fails.
 */
export const observe = <A>(call: () => Effect.Effect<A, CryptoError>): Effect.Effect<Outcome<A>> =>
  Effect.exit(Effect.suspend(call)).pipe(
    Effect.map(
      Exit.match({
        onSuccess: (value): Outcome<A> => ({ _tag: "Value", value }),
        onFailure: (cause): Outcome<A> => {
          const tag = Cause.isFailType(cause) ? errorTag(cause.error) : undefined
          return isCryptoErrorTag(tag)
            ? { _tag: "Failure", error: tag }
            : { _tag: "Defect", detail: Cause.pretty(cause).split("\n")[0] ?? "" }
        },
      }),
    ),
  )

/** What a vector demands of a call. */
export type Verdict =
  /** Succeeds; with `output`, the bytes must be exactly these. */
  | { readonly _tag: "Accept"; readonly output?: Uint8Array }
  /** Fails with exactly this typed error. */
  | { readonly _tag: "Reject"; readonly error: CryptoErrorTag }
  /** Succeeds with bytes other than `output` (how a MAC check fails on a modified tag). */
  | { readonly _tag: "Differ"; readonly output: Uint8Array }

/** Succeeds, optionally with exactly `output`. */
export const accept = (output?: Uint8Array): Verdict =>
  output === undefined ? { _tag: "Accept" } : { _tag: "Accept", output }

/** Fails with the typed error `error`. */
export const reject = (error: CryptoErrorTag): Verdict => ({ _tag: "Reject", error })

const describeOutcome = (outcome: Outcome<unknown>): string => {
  switch (outcome._tag) {
    case "Value":
      return outcome.value instanceof Uint8Array ? `value ${toHex(outcome.value)}` : "success"
    case "Failure":
      return `failure ${outcome.error}`
    case "Defect":
      return `DEFECT (${outcome.detail})`
  }
}

const sameBytes = (value: unknown, expected: Uint8Array): boolean =>
  value instanceof Uint8Array && toHex(value) === toHex(expected)

const describeVerdict = (verdict: Verdict): string => {
  switch (verdict._tag) {
    case "Accept":
      return verdict.output === undefined ? "success" : `value ${toHex(verdict.output)}`
    case "Reject":
      return `failure ${verdict.error}`
    case "Differ":
      return `a value other than ${toHex(verdict.output)}`
  }
}

/** `undefined` when `outcome` is what `verdict` demands, otherwise a one-line finding prefixed by `label`. */
export const judge = (label: string, outcome: Outcome<unknown>, verdict: Verdict): string | undefined => {
  const found = () => `${label}: expected ${describeVerdict(verdict)}, got ${describeOutcome(outcome)}`
  switch (verdict._tag) {
    case "Accept":
      return outcome._tag === "Value" && (verdict.output === undefined || sameBytes(outcome.value, verdict.output))
        ? undefined
        : found()
    case "Reject":
      return outcome._tag === "Failure" && outcome.error === verdict.error ? undefined : found()
    case "Differ":
      return outcome._tag === "Value" && !sameBytes(outcome.value, verdict.output) ? undefined : found()
  }
}

/** Runs `call` and judges it: the one-step form used by the runners. */
export const check = <A>(
  label: string,
  call: () => Effect.Effect<A, CryptoError>,
  verdict: Verdict,
): Effect.Effect<string | undefined> => Effect.map(observe(call), (outcome) => judge(label, outcome, verdict))
