/**
 * Fuzz target `reducer-messages`: the client state machine fed the recorded handshake
 * flights changed INSIDE the encryption, as a server holding the handshake keys could:
 * the plaintext handshake messages (EncryptedExtensions to Finished) are edited byte-wise
 * (flips, overwrites, insertions, deletions, length nudges, truncation), cut into records
 * of random sizes (a message over several records, several in one), given random padding,
 * sometimes with records of other inner types slipped in, and sealed again with the
 * server's handshake key. Each input starts from a clone of the state saved after the
 * ServerHello, so this reaches the decoders and checks of every message after it.
 *
 * Oracle:
 * - messages unchanged (any record sizes and padding): exactly the baseline, Established;
 * - messages cut short: exactly the baseline after the complete messages (no failure:
 *   the client waits for the rest);
 * - messages changed otherwise: never Established (the transcript differs, so the
 *   server's Finished cannot verify) and, without a failure, no outputs beyond the
 *   baseline's before the first changed message;
 * - any slipped-in record (application data, an empty handshake fragment, a
 *   ChangeCipherSpec or unknown inner type) MUST end in `Fatal` (RFC 8446 sections 5 and
 *   5.1).
 */
import { concatBytes } from "@effect-tls/crypto"
import { Either } from "effect"
import * as fc from "fast-check"
import { ContentType } from "../../src/wire/codes.js"
import { applyByteOps, byteOps, chunking, cutAt, cutOffsets, sameBytes } from "../mutate.js"
import { describeOutcome, drive, makeServices } from "../reducer/drive.js"
import { type HandshakeMessages, recordScenarios, type Scenario } from "../reducer/scenarios.js"
import { assert, defineTarget, property } from "../target.js"

/** A record of another inner type slipped into the flight. */
interface Injection {
  readonly at: number
  readonly type: number
  readonly content: Uint8Array
}

const injection: fc.Arbitrary<Injection> = fc.record({
  at: fc.nat(),
  type: fc.constantFrom(ContentType.application_data, ContentType.handshake, ContentType.change_cipher_spec, 99),
  content: fc.uint8Array({ maxLength: 8 }),
})

/** How the messages are cut into records: sizes taken in turn, from a byte to the whole flight. */
const sizes = fc.array(
  fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) },
    { weight: 2, arbitrary: fc.integer({ min: 9, max: 300 }) },
    { weight: 2, arbitrary: fc.integer({ min: 301, max: 16384 }) },
  ),
  { minLength: 1, maxLength: 8 },
)

const paddings = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 1, arbitrary: fc.constant(16384) },
  ),
  { minLength: 1, maxLength: 4 },
)

/** The records (inner type, content) carrying `stream`, cut by `sizes`, with the injections. */
const plan = (
  stream: Uint8Array,
  sizes: ReadonlyArray<number>,
  injections: ReadonlyArray<Injection>,
): Array<{ readonly type: number; readonly content: Uint8Array }> => {
  const records: Array<{ readonly type: number; readonly content: Uint8Array }> = []
  for (let at = 0, i = 0; at < stream.length; i++) {
    const size = sizes[i % sizes.length]!
    records.push({ type: ContentType.handshake, content: stream.subarray(at, at + size) })
    at += size
  }
  for (const { at, type, content } of injections) {
    records.splice(at % (records.length + 1), 0, {
      type,
      content: type === ContentType.handshake ? new Uint8Array(0) : content,
    })
  }
  return records
}

/** Seals the planned records with a fresh copy of the server's handshake write side. */
const seal = (
  handshake: HandshakeMessages,
  records: ReadonlyArray<{ readonly type: number; readonly content: Uint8Array }>,
  paddings: ReadonlyArray<number>,
): Uint8Array => {
  const protector = handshake.protector.clone()
  return concatBytes(
    ...records.map(({ type, content }, i) => {
      handshake.padding.next = paddings[i % paddings.length]!
      const sealed = protector.sealSync(type, content)
      if (Either.isLeft(sealed)) throw new Error(`sealing failed: ${sealed.left.message}`)
      return sealed.right
    }),
  )
}

/** How many messages of `messages` lie whole within the first `length` bytes of their stream. */
const completeMessages = (messages: ReadonlyArray<Uint8Array>, length: number): number => {
  let end = 0
  let count = 0
  for (const message of messages) {
    end += message.length
    if (end > length) break
    count++
  }
  return count
}

const firstDifference = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** The reducer-messages property: inputs and their check. */
export const reducerMessagesProperty = () => {
  const services = makeServices()
  const scenarios = recordScenarios(services).filter(
    (s): s is Scenario & { readonly handshake: HandshakeMessages } => s.handshake !== undefined,
  )
  return property(
    fc.record({
      scenario: fc.nat({ max: scenarios.length - 1 }),
      edits: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 5, arbitrary: byteOps(3) }),
      sizes,
      paddings,
      injections: fc.oneof(
        { weight: 6, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(injection, { minLength: 1, maxLength: 2 }) },
      ),
      chunks: chunking,
    }),
    ({ scenario: index, edits, sizes, paddings, injections, chunks }) => {
      const scenario = scenarios[index]!
      const { handshake } = scenario
      const original = concatBytes(...handshake.messages)
      const changed = applyByteOps(original, edits)
      const stream = seal(handshake, plan(changed, sizes, injections), paddings)
      const outcome = drive(services, scenario.saved, cutAt(stream, cutOffsets(chunks, stream.length)))
      const { outputs, phases } = handshake.baseline
      const show = () => `${scenario.name}: got ${describeOutcome(outcome)}`
      if (injections.length > 0) {
        assert(outcome._tag === "Fatal", () => `a record of another inner type was accepted; ${show()}`)
        return
      }
      const prefix = changed.length <= original.length && sameBytes(changed, original.subarray(0, changed.length))
      if (prefix) {
        const k = completeMessages(handshake.messages, changed.length)
        assert(
          outcome._tag === "Ok" && outcome.phase === phases[k] && sameList(outcome.outputs, outputs[k]!),
          () =>
            `the flight${changed.length < original.length ? " cut short" : ""} (${k} messages) does not give the baseline; ${show()}`,
        )
        return
      }
      if (outcome._tag === "Fatal") return
      const before = completeMessages(handshake.messages, firstDifference(changed, original))
      assert(
        outcome.phase !== "Established" && outcome.phase !== "Closed",
        () => `a changed flight was accepted; ${show()}`,
      )
      assert(
        outputs.slice(0, before + 1).some((o) => sameList(o, outcome.outputs)),
        () => `outputs beyond the unchanged messages; ${show()}`,
      )
    },
  )
}

/** The reducer-messages target. */
export const reducerMessagesTarget = defineTarget(
  "reducer-messages",
  "client state machine from the state after ServerHello, fed re-encrypted handshake messages changed, re-cut and padded",
  reducerMessagesProperty,
)
