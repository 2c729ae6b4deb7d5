/**
 * Fuzz target `deframer`: the record `Deframer` and `decodeRecordHeader` over record
 * streams (valid ones mutated, and random bytes), pushed in random chunks, with random
 * limits. Oracle: nothing throws; the records returned and the error (sticky, with the
 * right alert) are exactly those of a reference framing written from RFC 8446 section
 * 5.1, whatever the chunking; `buffered` counts what is held; a clone taken at any point
 * (between chunks or with a chunk half read) continues exactly like the original.
 */
import { concatBytes } from "@effect-tls/crypto"
import { Either } from "effect"
import * as fc from "fast-check"
import { AlertDescription, ContentType } from "../../src/wire/codes.js"
import { DecodeError } from "../../src/wire/reader.js"
import {
  Deframer,
  decodeRecordHeader,
  MAX_CIPHERTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  type RecordLimits,
} from "../../src/wire/record.js"
import { chunking, cutAt, cutOffsets, decoderInput, hexOf, sameBytes } from "../mutate.js"
import { assert, defineTarget, property } from "../target.js"

const knownTypes: ReadonlySet<number> = new Set([
  ContentType.change_cipher_spec,
  ContentType.alert,
  ContentType.handshake,
  ContentType.application_data,
])

/** What the reference framing expects: the complete records, then an error or a wait. */
interface Framing {
  readonly records: ReadonlyArray<Uint8Array>
  /** The alert of the header error at `consumed`, if any. */
  readonly alert: number | undefined
  /** Bytes in complete records. */
  readonly consumed: number
}

/** The alert a header of `type` and `length` fails with (RFC 8446 section 5.1), if any. */
const lengthAlert = (type: number, length: number, maxCiphertext: number, maxPlaintext: number): number | undefined => {
  if (length > (type === ContentType.application_data ? maxCiphertext : maxPlaintext)) {
    return AlertDescription.record_overflow
  }
  if (length === 0 && (type === ContentType.handshake || type === ContentType.alert)) {
    return AlertDescription.unexpected_message
  }
  return undefined
}

const referenceFraming = (stream: Uint8Array, maxCiphertext: number, maxPlaintext: number): Framing => {
  const records: Array<Uint8Array> = []
  let at = 0
  for (;;) {
    const left = stream.length - at
    const result = (alert: number | undefined): Framing => ({ records, alert, consumed: at })
    if (left === 0) return result(undefined)
    const type = stream[at]!
    // The content type is checked as soon as its byte arrives, the length once all 5 have.
    if (!knownTypes.has(type)) return result(AlertDescription.unexpected_message)
    if (left < 5) return result(undefined)
    const length = (stream[at + 3]! << 8) | stream[at + 4]!
    const alert = lengthAlert(type, length, maxCiphertext, maxPlaintext)
    if (alert !== undefined || left < 5 + length) return result(alert)
    records.push(stream.subarray(at, at + 5 + length))
    at += 5 + length
  }
}

/** What a deframer returned: copies of the records, and the error if one came. */
interface Drained {
  readonly records: Array<Uint8Array>
  error: DecodeError | undefined
}

/** Takes every record `next` has now, checking each one's fields against its bytes. */
const drain = (deframer: Deframer, into: Drained): void => {
  for (;;) {
    const next = deframer.next()
    if (next === undefined) return
    if (next instanceof DecodeError) {
      assert(into.error === undefined || into.error === next, () => "the deframer's error changed")
      assert(deframer.next() === next, () => "the deframer's error is not sticky")
      into.error = next
      return
    }
    const raw = next.raw
    assert(raw.length >= 5, () => "a record shorter than its header")
    assert(
      next.type === raw[0] && next.version === ((raw[1]! << 8) | raw[2]!),
      () => "type or version differ from the header",
    )
    assert(((raw[3]! << 8) | raw[4]!) === next.fragment.length, () => "fragment length differs from the header")
    assert(sameBytes(next.fragment, raw.subarray(5)), () => "fragment is not the record's body")
    into.records.push(raw.slice())
  }
}

/** Pushes each piece and drains after it; `clone` is called at piece `cloneAt` (before or after draining it). */
const feed = (
  deframer: Deframer,
  pieces: ReadonlyArray<Uint8Array>,
  from: number,
  out: Drained,
  clone?: { readonly at: number; readonly beforeDrain: boolean; readonly take: (d: Deframer) => void },
): void => {
  for (let i = from; i < pieces.length; i++) {
    deframer.push(pieces[i]!)
    if (clone?.at === i && clone.beforeDrain) clone.take(deframer.clone())
    drain(deframer, out)
    if (clone?.at === i && !clone.beforeDrain) clone.take(deframer.clone())
  }
}

const sameRecords = (a: ReadonlyArray<Uint8Array>, b: ReadonlyArray<Uint8Array>): boolean =>
  a.length === b.length && a.every((record, i) => sameBytes(record, b[i]!))

const record = fc
  .record({
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(20, 21, 22, 23) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ),
    version: fc.constantFrom(0x0303, 0x0301, 0x0300, 0xffff),
    fragment: fc.oneof(
      { weight: 20, arbitrary: fc.uint8Array({ maxLength: 48 }) },
      { weight: 1, arbitrary: fc.integer({ min: 16380, max: 16645 }).map((n) => new Uint8Array(n)) },
    ),
  })
  .map(({ type, version, fragment }) => {
    const out = new Uint8Array(5 + fragment.length)
    out.set([type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff])
    out.set(fragment, 5)
    return out
  })

const stream = fc.array(record, { maxLength: 6 }).map((records) => concatBytes(...records))

const limits: fc.Arbitrary<RecordLimits | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record({
      maxCiphertextLength: fc.integer({ min: 0, max: 20000 }),
      maxPlaintextLength: fc.integer({ min: 0, max: 20000 }),
    }),
  },
)

/** The deframer property: inputs and their check. */
export const deframerProperty = () =>
  property(
    fc.record({
      stream: decoderInput(stream, 64),
      cuts: chunking,
      limits,
      cloneAt: fc.nat(),
      cloneBeforeDrain: fc.boolean(),
    }),
    ({ stream, cuts, limits, cloneAt, cloneBeforeDrain }) => {
      const maxCiphertext = limits?.maxCiphertextLength ?? MAX_CIPHERTEXT_LENGTH
      const maxPlaintext = limits?.maxPlaintextLength ?? MAX_PLAINTEXT_LENGTH
      const expected = referenceFraming(stream, maxCiphertext, maxPlaintext)
      const pieces = cutAt(stream, cutOffsets(cuts, stream.length))
      const copy = stream.slice()

      const deframer = new Deframer(limits)
      const original: Drained = { records: [], error: undefined }
      const at = cloneAt % pieces.length
      let twin: { deframer: Deframer; out: Drained } | undefined
      feed(deframer, pieces, 0, original, {
        at,
        beforeDrain: cloneBeforeDrain,
        take: (clone) => {
          twin = { deframer: clone, out: { records: original.records.slice(), error: original.error } }
        },
      })
      assert(sameBytes(stream, copy), () => "the deframer changed its input")
      assert(
        sameRecords(original.records, expected.records),
        () =>
          `records differ from the reference framing: got ${original.records.length}, expected ${expected.records.length}`,
      )
      assert(
        original.error?.alert === expected.alert,
        () =>
          `error ${original.error?.alert} (${original.error?.detail}), expected ${expected.alert} at offset ${expected.consumed}`,
      )
      if (expected.alert === undefined) {
        assert(
          deframer.buffered === stream.length - expected.consumed,
          () => `buffered ${deframer.buffered}, expected ${stream.length - expected.consumed}`,
        )
      }
      // After an error, pushing more changes nothing.
      deframer.push(Uint8Array.of(ContentType.handshake))
      if (original.error !== undefined)
        assert(deframer.next() === original.error, () => "push after an error changed it")

      assert(twin !== undefined, () => "no clone was taken")
      if (cloneBeforeDrain) drain(twin.deframer, twin.out)
      feed(twin.deframer, pieces, at + 1, twin.out)
      assert(sameRecords(twin.out.records, expected.records), () => `the clone's records differ (clone at piece ${at})`)
      assert(twin.out.error?.alert === expected.alert, () => "the clone's error differs")

      if (stream.length >= 5) {
        const header = decodeRecordHeader(stream.subarray(0, 5), limits)
        const type = stream[0]!
        const valid =
          knownTypes.has(type) &&
          lengthAlert(type, (stream[3]! << 8) | stream[4]!, maxCiphertext, maxPlaintext) === undefined
        assert(Either.isRight(header) === valid, () => `decodeRecordHeader(${hexOf(stream.subarray(0, 5))}) disagrees`)
      }
    },
  )

/** The deframer target. */
export const deframerTarget = defineTarget("deframer", "record Deframer and decodeRecordHeader", deframerProperty)
