/**
 * Fuzz target `reassembler`: the `HandshakeReassembler` over handshake message streams
 * (valid ones mutated, and random bytes) pushed as random fragments (sometimes an empty
 * one), with random message limits; every message it returns is decoded too. Oracle:
 * nothing throws; the messages and the error are exactly those of a reference reading of
 * RFC 8446 section 5.1 (a header over the limit fails once visible, an empty fragment
 * fails, messages completed before a fault still come out first); `buffered` counts what
 * is held; a clone taken between fragments continues exactly like the original.
 */
import { concatBytes } from "@effect-tls/crypto"
import * as fc from "fast-check"
import { AlertDescription } from "../../src/wire/codes.js"
import { decodeHandshake, encodeHandshake } from "../../src/wire/handshake.js"
import { DecodeError } from "../../src/wire/reader.js"
import { DEFAULT_MAX_HANDSHAKE_LENGTH, HandshakeReassembler } from "../../src/wire/reassembler.js"
import { handshake } from "../../test/wire/arbitraries.js"
import { chunking, cutAt, cutOffsets, decoderInput, sameBytes } from "../mutate.js"
import { assert, defineTarget, property } from "../target.js"

/** What the reference reading expects: the complete messages (raw), then an error or a wait. */
interface Reading {
  readonly messages: ReadonlyArray<Uint8Array>
  readonly alert: number | undefined
  /** Bytes held once the messages are taken (without an error). */
  readonly held: number
}

const lengthAt = (bytes: Uint8Array, at: number): number =>
  (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!

/**
 * The reference: fragments are appended until an empty one (a fault at the end of what
 * came before); headers are checked in order as they become visible; the messages that
 * are complete and start before the fault come out.
 */
const referenceReading = (fragments: ReadonlyArray<Uint8Array>, max: number): Reading => {
  let total = 0
  let faultAt: number | undefined
  let alert: number | undefined
  const parts: Array<Uint8Array> = []
  let scan = 0
  for (const fragment of fragments) {
    if (fragment.length === 0) {
      faultAt = total
      alert = AlertDescription.unexpected_message
      break
    }
    parts.push(fragment)
    total += fragment.length
    const joined = concatBytes(...parts)
    while (total - scan >= 4) {
      const length = lengthAt(joined, scan)
      if (length > max) {
        faultAt = scan
        alert = AlertDescription.illegal_parameter
        break
      }
      scan += 4 + length
    }
    if (faultAt !== undefined) break
  }
  const bytes = concatBytes(...parts)
  const messages: Array<Uint8Array> = []
  let at = 0
  while (bytes.length - at >= 4 && (faultAt === undefined || at < faultAt)) {
    const end = at + 4 + lengthAt(bytes, at)
    if (end > bytes.length) break
    messages.push(bytes.subarray(at, end))
    at = end
  }
  return { messages, alert, held: bytes.length - at }
}

/** Pushes the fragments from `from` on, taking every message after each push. */
const feed = (
  reassembler: HandshakeReassembler,
  fragments: ReadonlyArray<Uint8Array>,
  from: number,
  out: { messages: Array<Uint8Array>; error: DecodeError | undefined },
  cloneAt?: { readonly at: number; readonly take: (r: HandshakeReassembler) => void },
): void => {
  for (let i = from; i < fragments.length; i++) {
    reassembler.push(fragments[i]!)
    for (;;) {
      const next = reassembler.next()
      if (next === undefined) break
      if (next instanceof DecodeError) {
        out.error = next
        break
      }
      assert(
        next.type === next.raw[0] && sameBytes(next.body, next.raw.subarray(4)),
        () => "type or body differ from raw",
      )
      assert(lengthAt(next.raw, 0) === next.body.length, () => "the header length differs from the body")
      // Every message that comes out goes on to its decoder, as the state machine does.
      decodeHandshake(next.type, next.body)
      out.messages.push(next.raw)
    }
    if (cloneAt?.at === i) cloneAt.take(reassembler.clone())
  }
}

const sameList = (a: ReadonlyArray<Uint8Array>, b: ReadonlyArray<Uint8Array>): boolean =>
  a.length === b.length && a.every((x, i) => sameBytes(x, b[i]!))

const messages = fc
  .array(handshake, { minLength: 1, maxLength: 4 })
  .map((list) => concatBytes(...list.map(encodeHandshake)))

/** The reassembler property: inputs and their check. */
export const reassemblerProperty = () =>
  property(
    fc.record({
      stream: decoderInput(messages, 64),
      cuts: chunking,
      empty: fc.option(fc.nat(), { freq: 10 }),
      max: fc.oneof(
        { weight: 3, arbitrary: fc.constant(DEFAULT_MAX_HANDSHAKE_LENGTH) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) },
      ),
      cloneAt: fc.nat(),
    }),
    ({ stream, cuts, empty, max, cloneAt }) => {
      const pieces = [...cutAt(stream, cutOffsets(cuts, stream.length))].filter((p) => p.length > 0)
      if (empty !== null) pieces.splice(empty % (pieces.length + 1), 0, new Uint8Array(0))
      const expected = referenceReading(pieces, max)
      const reassembler = new HandshakeReassembler(max)
      const out = { messages: [] as Array<Uint8Array>, error: undefined as DecodeError | undefined }
      const at = pieces.length === 0 ? -1 : cloneAt % pieces.length
      let twin: { reassembler: HandshakeReassembler; out: typeof out } | undefined
      feed(reassembler, pieces, 0, out, {
        at,
        take: (clone) => {
          twin = { reassembler: clone, out: { messages: out.messages.slice(), error: out.error } }
        },
      })
      assert(
        sameList(out.messages, expected.messages),
        () => `messages differ from the reference: got ${out.messages.length}, expected ${expected.messages.length}`,
      )
      assert(out.error?.alert === expected.alert, () => `error ${out.error?.detail}, expected alert ${expected.alert}`)
      if (expected.alert === undefined) {
        assert(
          reassembler.buffered === expected.held,
          () => `buffered ${reassembler.buffered}, expected ${expected.held}`,
        )
      }
      if (twin !== undefined) {
        feed(twin.reassembler, pieces, at + 1, twin.out)
        assert(sameList(twin.out.messages, expected.messages), () => `the clone's messages differ (clone at ${at})`)
        assert(twin.out.error?.alert === expected.alert, () => "the clone's error differs")
      }
    },
  )

/** The reassembler target. */
export const reassemblerTarget = defineTarget(
  "reassembler",
  "HandshakeReassembler and the decoders it feeds",
  reassemblerProperty,
)
