import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { AlertDescription } from "../../src/wire/codes.js"
import { encodeHandshake } from "../../src/wire/handshake.js"
import { DecodeError } from "../../src/wire/reader.js"
import { type HandshakeMessage, HandshakeReassembler } from "../../src/wire/reassembler.js"
import { clientHello } from "../fixtures/rfc8448/client-hello.js"
import { cuts, handshake, split } from "./arbitraries.js"
import { concat, fromHex, toHex } from "./hex.js"

/**
 * Pushes each fragment and collects what `next` yields, then overwrites the fragment: the
 * caller may reuse it once `next` returned `undefined`.
 */
const reassemble = (
  reassembler: HandshakeReassembler,
  fragments: ReadonlyArray<Uint8Array>,
): Array<HandshakeMessage | DecodeError> => {
  const out: Array<HandshakeMessage | DecodeError> = []
  for (const fragment of fragments) {
    const scratch = fragment.slice()
    reassembler.push(scratch)
    for (let next = reassembler.next(); next !== undefined; next = reassembler.next()) {
      out.push(next)
      if (next instanceof DecodeError) return out
    }
    scratch.fill(0xee)
  }
  return out
}

/** Encoded messages, their concatenation, and cut points to fragment it at. */
const fragmentedMessages = fc.array(handshake, { minLength: 1, maxLength: 6 }).chain((messages) => {
  const raws = messages.map(encodeHandshake)
  const stream = concat(...raws)
  return fc.tuple(fc.constant(raws), fc.constant(stream), cuts(stream.length))
})

const asMessage = (raw: Uint8Array): HandshakeMessage => ({ type: raw[0]!, body: raw.subarray(4), raw })

/** The reassembler's private buffer (white box: what an established connection keeps). */
const heldBuffer = (reassembler: HandshakeReassembler): Uint8Array =>
  (reassembler as unknown as { readonly buf: Uint8Array }).buf

/** A reassembler reading a record of two messages in place, the first already returned. */
const midFragment = () => {
  const a = fromHex("14000002abcd")
  const b = fromHex("0800000100")
  const record = concat(a, b)
  const reassembler = new HandshakeReassembler()
  reassembler.push(record)
  expect(reassembler.next()).toEqual(asMessage(a))
  return { reassembler, record, b }
}

describe("HandshakeReassembler", () => {
  it("yields the RFC 8448 ClientHello with its raw bytes", () => {
    const [message] = reassemble(new HandshakeReassembler(), [fromHex(clientHello)])
    expect(message instanceof DecodeError || message === undefined ? undefined : toHex(message.raw)).toBe(clientHello)
    expect(message instanceof DecodeError ? undefined : message?.body.length).toBe(192)
  })

  it.prop("property: any fragmentation gives the same messages", [fragmentedMessages], ([[raws, stream, offsets]]) => {
    const reassembler = new HandshakeReassembler()
    expect(reassemble(reassembler, split(stream, offsets))).toEqual(raws.map(asMessage))
    expect(reassembler.buffered).toBe(0)
  })

  it.prop(
    "property: once every message is returned, the reassembler holds no buffer (an established connection keeps none)",
    [fragmentedMessages],
    ([[raws, stream, offsets]]) => {
      const reassembler = new HandshakeReassembler()
      expect(heldBuffer(reassembler).length).toBe(0)
      const messages = reassemble(reassembler, split(stream, offsets))
      expect(heldBuffer(reassembler).length).toBe(0)
      // The messages handed out are copies: letting the buffer go leaves them intact.
      expect(messages).toEqual(raws.map(asMessage))
    },
  )

  it("reads a record of whole messages in place: no buffer, one copy per message", () => {
    const reassembler = new HandshakeReassembler()
    const finished = fromHex("14000002abcd")
    const keyUpdate = fromHex("1800000100")
    const record = concat(finished, keyUpdate)
    reassembler.push(record)
    expect(reassembler.buffered).toBe(record.length)
    const first = reassembler.next()
    const second = reassembler.next()
    expect(reassembler.next()).toBeUndefined()
    expect(heldBuffer(reassembler).length).toBe(0)
    record.fill(0)
    expect([first, second]).toEqual([asMessage(finished), asMessage(keyUpdate)])
    expect(reassembler.buffered).toBe(0)
  })

  it("keeps the rest of a fragment read in place when the next one is pushed before draining", () => {
    const { reassembler, record: first, b } = midFragment()
    const c = fromHex("14000001ff")
    reassembler.push(c.slice())
    first.fill(0xee)
    expect(reassembler.next()).toEqual(asMessage(b))
    expect(reassembler.next()).toEqual(asMessage(c))
    expect(reassembler.next()).toBeUndefined()
    expect(reassembler.buffered).toBe(0)
  })

  it("a clone taken while a fragment is read in place goes on independently of the original", () => {
    const { reassembler, record, b } = midFragment()
    const copy = reassembler.clone()
    record.fill(0xee)
    expect(copy.buffered).toBe(b.length)
    expect(copy.next()).toEqual(asMessage(b))
    expect(copy.next()).toBeUndefined()
    // The original still reads its own fragment, as the caller left it.
    expect(reassembler.buffered).toBe(b.length)
  })

  it("reports bytes left over (a message may not span a key change)", () => {
    const reassembler = new HandshakeReassembler()
    const finished = fromHex("14000002abcd")
    reassembler.push(concat(finished, fromHex("0800")))
    expect(reassembler.next()).toEqual(asMessage(finished))
    expect(reassembler.next()).toBeUndefined()
    expect(reassembler.buffered).toBe(2)
    reassembler.push(fromHex("0000"))
    expect(reassembler.next()).toEqual(asMessage(fromHex("08000000")))
    expect(reassembler.buffered).toBe(0)
  })

  it("rejects a 16 MiB header before any of its body arrives", () => {
    const reassembler = new HandshakeReassembler()
    reassembler.push(fromHex("0bffffff"))
    const error = reassembler.next()
    expect(error).toBeInstanceOf(DecodeError)
    expect(error instanceof DecodeError && error.alert).toBe(AlertDescription.illegal_parameter)
    // Nothing more is buffered once failed.
    reassembler.push(new Uint8Array(16384))
    expect(reassembler.buffered).toBe(4)
    expect(reassembler.next()).toBe(error)
  })

  it("enforces a configured limit, after the messages before the oversized one", () => {
    const reassembler = new HandshakeReassembler(100)
    const ok = concat(fromHex("0f000064"), new Uint8Array(100))
    const result = reassemble(reassembler, [concat(ok, fromHex("0f00")), fromHex("0065")])
    expect(result[0]).toEqual(asMessage(ok))
    expect(result[1]).toBeInstanceOf(DecodeError)
    expect(result).toHaveLength(2)
  })

  it("never yields an oversized message, even when all of it arrived at once", () => {
    const reassembler = new HandshakeReassembler(100)
    reassembler.push(concat(fromHex("0f000065"), new Uint8Array(101)))
    const error = reassembler.next()
    expect(error).toBeInstanceOf(DecodeError)
    expect(reassembler.next()).toBe(error)
  })

  it("rejects zero-length fragments", () => {
    const reassembler = new HandshakeReassembler()
    const result = reassemble(reassembler, [fromHex("14000004aa"), new Uint8Array(0)])
    expect(result).toHaveLength(1)
    expect(result[0] instanceof DecodeError && result[0].alert).toBe(AlertDescription.unexpected_message)
  })

  it.prop(
    "property: yielded messages are copies that later pushes do not change",
    [fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 50 })],
    ([body, size]) => {
      const raw = concat(Uint8Array.of(20, 0, body.length >> 8, body.length & 0xff), body)
      const stream = concat(raw, raw, raw)
      const reassembler = new HandshakeReassembler()
      const out = reassemble(
        reassembler,
        split(
          stream,
          Array.from({ length: Math.ceil(stream.length / size) - 1 }, (_, i) => (i + 1) * size),
        ),
      )
      expect(out).toEqual([asMessage(raw), asMessage(raw), asMessage(raw)])
    },
  )
})
