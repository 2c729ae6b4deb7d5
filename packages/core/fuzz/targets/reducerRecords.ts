/**
 * Fuzz target `reducer-records`: the client state machine fed recorded server flights
 * (see `reducer/scenarios.ts`) changed on the wire, where the attacker sits: bit flips and
 * byte edits anywhere in a record (header included), records dropped, duplicated, swapped,
 * truncated, records inserted (ChangeCipherSpec, bursts of them, plaintext alerts, plaintext
 * handshake records, fake ciphertext, empty records, garbage), the stream cut short, and
 * all of it delivered in random chunks. Each input starts from a clone of the saved state.
 *
 * The oracle reads the changed stream with a reference framing and walks it like the
 * RFC 8446 record layer must:
 *
 * - a protected record counts as authentic only if it is byte for byte the next protected
 *   record the server sent. The whole record is authenticated, the header too, since TLS
 *   1.3 uses it as the AEAD's additional data: a flip of legacy_record_version or of the
 *   length must fail like a flip of the ciphertext. So the first complete record the
 *   client must decrypt that is not the next authentic one MUST end in `Fatal`;
 * - ChangeCipherSpec records are outside the protection: one holding the single byte 1 is
 *   dropped while the handshake runs (RFC 8446 section 5) up to the limit on empty records
 *   in a row (then `Fatal`); any other, or one after the handshake, MUST be `Fatal`;
 * - a plaintext alert while the handshake runs is read as it is: close_notify closes
 *   (outputs so far and PeerClosed), a warning user_canceled is ignored, anything else
 *   MUST be `Fatal`. (After the handshake an unprotected alert is a record to decrypt.)
 * - once the authentic flight closed the connection (close_notify), the rest is ignored;
 * - a trailing incomplete record is waited for: when it is a prefix of the next authentic
 *   record nothing may fail; otherwise a `Fatal` from its visible header is allowed too.
 *
 * When no `Fatal` is required the run MUST match the baseline exactly: the outputs (bytes
 * we send, data, tickets, secrets, the session) and the phase after the k authentic
 * records the walk accepted. So a run never succeeds past a changed authenticated byte,
 * and never fails on a change the protocol allows.
 */
import { concatBytes } from "@effect-tls/crypto"
import * as fc from "fast-check"
import { AlertDescription, AlertLevel, ContentType } from "../../src/wire/codes.js"
import { applyByteOp, type ByteOp, byteOp, chunking, cutAt, cutOffsets, hexOf, sameBytes } from "../mutate.js"
import { describeOutcome, drive, makeServices, type Outcome } from "../reducer/drive.js"
import { recordScenarios, type Scenario } from "../reducer/scenarios.js"
import { assert, defineTarget, property } from "../target.js"

/** A record the attacker inserts. */
type Synthetic =
  | { readonly kind: "ccs"; readonly count: number }
  | { readonly kind: "ccs-body"; readonly body: Uint8Array }
  | { readonly kind: "alert"; readonly body: Uint8Array }
  | { readonly kind: "handshake"; readonly body: Uint8Array }
  | { readonly kind: "ciphertext"; readonly body: Uint8Array }
  | { readonly kind: "garbage"; readonly bytes: Uint8Array }

/** One change to the list of records. */
type RecordOp =
  | { readonly op: "edit"; readonly record: number; readonly edit: ByteOp }
  | { readonly op: "drop"; readonly record: number }
  | { readonly op: "duplicate"; readonly record: number }
  | { readonly op: "swap"; readonly a: number; readonly b: number }
  | { readonly op: "insert"; readonly at: number; readonly record: Synthetic }

const header = (type: number, length: number): Array<number> => [type, 0x03, 0x03, length >> 8, length & 0xff]

const record = (type: number, body: Uint8Array): Uint8Array => Uint8Array.from([...header(type, body.length), ...body])

const validCcs = record(ContentType.change_cipher_spec, Uint8Array.of(1))

const syntheticBytes = (synthetic: Synthetic): Uint8Array => {
  switch (synthetic.kind) {
    case "ccs": {
      const out = new Uint8Array(validCcs.length * synthetic.count)
      for (let i = 0; i < synthetic.count; i++) out.set(validCcs, i * validCcs.length)
      return out
    }
    case "ccs-body":
      return record(ContentType.change_cipher_spec, synthetic.body)
    case "alert":
      return record(ContentType.alert, synthetic.body)
    case "handshake":
      return record(ContentType.handshake, synthetic.body)
    case "ciphertext":
      return record(ContentType.application_data, synthetic.body)
    case "garbage":
      return synthetic.bytes
  }
}

const alertBody = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(AlertLevel.warning, AlertLevel.fatal, 0, 3),
      fc.constantFrom(
        AlertDescription.close_notify,
        AlertDescription.user_canceled,
        AlertDescription.unexpected_message,
        AlertDescription.handshake_failure,
        AlertDescription.decrypt_error,
        255,
      ),
    )
    .map(([level, description]) => Uint8Array.of(level, description)),
  fc.uint8Array({ maxLength: 3 }),
)

const synthetic: fc.Arbitrary<Synthetic> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("ccs" as const), count: fc.integer({ min: 1, max: 20 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("ccs-body" as const), body: fc.uint8Array({ maxLength: 3 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("alert" as const), body: alertBody }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("handshake" as const), body: fc.uint8Array({ maxLength: 40 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("ciphertext" as const), body: fc.uint8Array({ maxLength: 64 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("garbage" as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
    }),
  },
)

const recordOp: fc.Arbitrary<RecordOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("edit" as const), record: fc.nat(), edit: byteOp }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("drop" as const), record: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("duplicate" as const), record: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("insert" as const), at: fc.nat(), record: synthetic }) },
)

/** The changes of one input. Unchanged flights (only re-chunked) cost a whole handshake each: a few suffice. */
const recordOps: fc.Arbitrary<ReadonlyArray<RecordOp>> = fc.oneof(
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 9, arbitrary: fc.array(recordOp, { minLength: 1, maxLength: 4 }) },
)

const applyRecordOp = (records: Array<Uint8Array>, op: RecordOp): Array<Uint8Array> => {
  const n = records.length
  const out = records.slice()
  switch (op.op) {
    case "edit":
      if (n > 0) out[op.record % n] = applyByteOp(out[op.record % n]!, op.edit)
      return out
    case "drop":
      if (n > 0) out.splice(op.record % n, 1)
      return out
    case "duplicate":
      if (n > 0) out.splice(op.record % n, 0, out[op.record % n]!)
      return out
    case "swap":
      if (n > 0) [out[op.a % n], out[op.b % n]] = [out[op.b % n]!, out[op.a % n]!]
      return out
    case "insert":
      out.splice(op.at % (n + 1), 0, syntheticBytes(op.record))
      return out
  }
}

/** What the oracle requires of a run. */
type Expectation =
  | { readonly _tag: "Fatal"; readonly why: string }
  /** Exactly the baseline after k authentic records (with PeerClosed and Closed when `closedByAlert`). */
  | { readonly _tag: "Exact"; readonly k: number; readonly closedByAlert: boolean }
  /** The baseline after k records, or a `Fatal` (a trailing partial record that is not authentic). */
  | { readonly _tag: "ExactOrFatal"; readonly k: number }

const handshaking = (phase: string): boolean => phase !== "Established" && phase !== "Closed"

/** The reference walk over the changed stream (see the module comment). */
const expectation = (scenario: Scenario, stream: Uint8Array): Expectation => {
  const { authentic, baseline } = scenario
  const maxEmpty = scenario.saved.config.limits.maxEmptyRecords
  let empty = scenario.saved.record.emptyInARow
  let k = 0
  for (let at = 0; at < stream.length; ) {
    if (baseline.phases[k] === "Closed") break
    const left = stream.length - at
    const length = left >= 5 ? (stream[at + 3]! << 8) | stream[at + 4]! : -1
    if (length < 0 || left < 5 + length) {
      const next = authentic[k]
      const prefix = next !== undefined && left <= next.length && sameBytes(stream.subarray(at), next.subarray(0, left))
      return prefix ? { _tag: "Exact", k, closedByAlert: false } : { _tag: "ExactOrFatal", k }
    }
    const bytes = stream.subarray(at, at + 5 + length)
    const type = bytes[0]!
    const body = bytes.subarray(5)
    at += 5 + length
    const phase = baseline.phases[k]!
    if (type === ContentType.change_cipher_spec) {
      if (!handshaking(phase)) return { _tag: "Fatal", why: "ChangeCipherSpec after the handshake" }
      if (body.length !== 1 || body[0] !== 1) return { _tag: "Fatal", why: "ChangeCipherSpec with a body other than 1" }
      empty++
      if (empty > maxEmpty) return { _tag: "Fatal", why: "too many ChangeCipherSpec records in a row" }
      continue
    }
    if (type === ContentType.alert && handshaking(phase)) {
      if (body.length !== 2) return { _tag: "Fatal", why: "a malformed plaintext alert" }
      if (body[1] === AlertDescription.close_notify) return { _tag: "Exact", k, closedByAlert: true }
      if (body[1] === AlertDescription.user_canceled && body[0] === AlertLevel.warning) continue
      return { _tag: "Fatal", why: "a plaintext error alert" }
    }
    if (k < authentic.length && sameBytes(bytes, authentic[k]!)) {
      k++
      empty = 0
      continue
    }
    return { _tag: "Fatal", why: `record ${k} (${hexOf(bytes, 16)}) is not the next authentic record` }
  }
  return { _tag: "Exact", k, closedByAlert: false }
}

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** Checks a run's outcome against what the walk requires. */
const judge = (scenario: Scenario, expected: Expectation, outcome: Outcome): void => {
  const show = () => `${scenario.name}: expected ${JSON.stringify(expected)}, got ${describeOutcome(outcome)}`
  if (expected._tag === "Fatal") {
    assert(outcome._tag === "Fatal", () => `a success past a changed record (${expected.why}); ${show()}`)
    const reason = outcome.fatal.reason._tag
    assert(reason === "AlertSent" || reason === "AlertReceived", () => `a failure of kind ${reason}; ${show()}`)
    return
  }
  if (outcome._tag === "Fatal") {
    assert(expected._tag === "ExactOrFatal", () => `a failure on a change the protocol allows; ${show()}`)
    return
  }
  const closed = expected._tag === "Exact" && expected.closedByAlert
  const outputs = closed
    ? [...scenario.baseline.outputs[expected.k]!, "PeerClosed"]
    : scenario.baseline.outputs[expected.k]!
  const phase = closed ? "Closed" : scenario.baseline.phases[expected.k]!
  assert(outcome.phase === phase && sameList(outcome.outputs, outputs), show)
}

/** The reducer-records property: inputs and their check. */
export const reducerRecordsProperty = () => {
  const services = makeServices()
  const scenarios = recordScenarios(services)
  return property(
    fc.record({
      scenario: fc.nat({ max: scenarios.length - 1 }),
      ops: recordOps,
      cut: fc.option(fc.nat(), { freq: 6 }),
      chunks: chunking,
    }),
    ({ scenario: index, ops, cut, chunks }) => {
      const scenario = scenarios[index]!
      const changed = concatBytes(...ops.reduce(applyRecordOp, scenario.records.slice()))
      const stream = cut === null ? changed : changed.subarray(0, cut % (changed.length + 1))
      const copy = stream.slice()
      const outcome = drive(services, scenario.saved, cutAt(stream, cutOffsets(chunks, stream.length)))
      assert(sameBytes(stream, copy), () => "the client changed the bytes it was given")
      judge(scenario, expectation(scenario, stream), outcome)
    },
  )
}

/** The reducer-records target. */
export const reducerRecordsTarget = defineTarget(
  "reducer-records",
  "client state machine from a saved state, fed recorded server flights changed record by record on the wire",
  reducerRecordsProperty,
)
