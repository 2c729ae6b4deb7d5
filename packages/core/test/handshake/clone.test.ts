/**
 * Saving and restoring a connection's state (what the fuzzer does for each input): a
 * clone behaves like the original, and independently of it, at every level (sequence
 * numbers, record protection, deframer, reassembler, record layer, `cloneState`).
 */
import { describe, expect, it } from "@effect/vitest"
import { concatBytes, NobleCrypto, TlsCrypto } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import { cloneState, step } from "../../src/handshake/client.js"
import { defaultConfig } from "../../src/handshake/config.js"
import { type ClientState, Input, type Output } from "../../src/handshake/state.js"
import { RecordProtector, RecordUnprotector } from "../../src/record/protection.js"
import { SequenceNumber } from "../../src/record/sequence.js"
import { ContentType } from "../../src/wire/codes.js"
import { DecodeError } from "../../src/wire/reader.js"
import { HandshakeReassembler } from "../../src/wire/reassembler.js"
import { Deframer, type TlsRecord } from "../../src/wire/record.js"
import { frames } from "../server/frames.js"
import { clientLayer, Pair } from "../server/pair.js"

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

const aead = Effect.runSync(
  Effect.provide(
    Effect.flatMap(TlsCrypto, (crypto) => crypto.aeadKey("AES-128-GCM", new Uint8Array(16).fill(7))),
    NobleCrypto,
  ),
)
const iv = new Uint8Array(12).fill(3)

const seal = (protector: RecordProtector, text: string): Uint8Array =>
  Either.getOrThrow(protector.sealSync(ContentType.application_data, new TextEncoder().encode(text)))

describe("SequenceNumber.clone", () => {
  it("starts where the original is and moves on its own", () => {
    const original = new SequenceNumber(41n)
    const copy = original.clone()
    copy.advance()
    expect(original.value).toBe(41n)
    expect(copy.value).toBe(42n)
  })

  it("keeps the exhausted state", () => {
    const original = new SequenceNumber(2n ** 64n - 1n)
    original.advance()
    expect(original.clone().exhausted).toBe(true)
  })
})

describe("record protection clones", () => {
  it("a protector's clone seals what the original would, without moving the original", () => {
    const original = new RecordProtector(aead, iv)
    seal(original, "first")
    const copy = original.clone()
    const fromCopy = seal(copy, "second")
    expect(original.sequence).toBe(1n)
    expect(hex(seal(original, "second"))).toBe(hex(fromCopy))
  })

  it("an unprotector's clone opens the next record; the original can still open it", () => {
    const protector = new RecordProtector(aead, iv)
    const records = [seal(protector, "one"), seal(protector, "two")]
    const original = new RecordUnprotector(aead, iv)
    expect(Either.isRight(original.openSync(records[0]!))).toBe(true)
    const copy = original.clone()
    expect(Either.isRight(copy.openSync(records[1]!))).toBe(true)
    expect(copy.sequence).toBe(2n)
    expect(original.sequence).toBe(1n)
    expect(Either.isRight(original.openSync(records[1]!))).toBe(true)
  })
})

const drain = (deframer: Deframer): Array<string> => {
  const out: Array<string> = []
  for (let next: TlsRecord | DecodeError | undefined = deframer.next(); next !== undefined; next = deframer.next()) {
    if (next instanceof DecodeError) return [...out, `error ${next.alert}`]
    out.push(hex(next.raw))
  }
  return out
}

describe("Deframer.clone", () => {
  const record = Uint8Array.of(ContentType.handshake, 3, 3, 0, 4, 1, 2, 3, 4)

  it("a clone taken mid-record completes it like the original, and separately", () => {
    const original = new Deframer()
    original.push(record.subarray(0, 3))
    expect(drain(original)).toEqual([])
    const copy = original.clone()
    copy.push(record.subarray(3))
    expect(drain(copy)).toEqual([hex(record)])
    expect(original.buffered).toBe(3)
    original.push(record.subarray(3))
    expect(drain(original)).toEqual([hex(record)])
  })

  it("a clone taken with a chunk half read returns the same records", () => {
    const original = new Deframer()
    original.push(concatBytes(record, record, record.subarray(0, 2)))
    expect(original.next()).not.toBeInstanceOf(DecodeError)
    const copy = original.clone()
    expect(drain(copy)).toEqual([hex(record)])
    expect(drain(original)).toEqual([hex(record)])
    expect(copy.buffered).toBe(2)
  })

  it("keeps a sticky error", () => {
    const original = new Deframer()
    original.push(Uint8Array.of(0x47))
    expect(drain(original)).toEqual(["error 10"])
    expect(drain(original.clone())).toEqual(["error 10"])
  })
})

describe("HandshakeReassembler.clone", () => {
  it("a clone holding half a message completes it like the original, and separately", () => {
    const message = Uint8Array.of(20, 0, 0, 3, 9, 8, 7)
    const original = new HandshakeReassembler()
    original.push(message.subarray(0, 5))
    const copy = original.clone()
    copy.push(message.subarray(5))
    const fromCopy = copy.next()
    expect(fromCopy instanceof DecodeError || fromCopy === undefined ? fromCopy : hex(fromCopy.raw)).toBe(hex(message))
    expect(original.next()).toBeUndefined()
    expect(original.buffered).toBe(5)
  })
})

const sends = (outputs: ReadonlyArray<Output>): Array<string> =>
  outputs.flatMap((o) => (o._tag === "Send" ? [hex(o.bytes)] : o._tag === "KeyLog" ? [] : [o._tag]))

const stepWith = (state: ClientState, bytes: Uint8Array) => step(state, Input.Received({ bytes }))

describe("cloneState", () => {
  it.effect("a state saved after the ServerHello finishes the handshake like the original, as often as asked", () =>
    Effect.provide(
      Effect.gen(function* () {
        const pair = yield* Pair.start(defaultConfig("scripted.test"))
        const [serverHello, ...rest] = frames(yield* pair.flight())
        yield* pair.receive(serverHello!.bytes)
        const saved = pair.state
        const flight = concatBytes(...rest.map((frame) => frame.bytes))
        expect(saved.phase._tag).toBe("ExpectEncryptedExtensions")

        const [first, firstOutputs] = yield* stepWith(cloneState(saved), flight)
        const [second, secondOutputs] = yield* stepWith(cloneState(saved), flight)
        expect(first.phase._tag).toBe("Established")
        expect(second.phase._tag).toBe("Established")
        expect(sends(secondOutputs)).toEqual(sends(firstOutputs))
        // The clones moved on; the saved state did not: it still takes the flight itself.
        expect(saved.record.reader?.sequence).toBe(0n)
        expect(saved.record.writer?.sequence).toBe(0n)
        const [last, lastOutputs] = yield* stepWith(saved, flight)
        expect(last.phase._tag).toBe("Established")
        expect(sends(lastOutputs)).toEqual(sends(firstOutputs))
      }),
      clientLayer(),
    ),
  )

  it.effect("a clone taken with half a record buffered completes it", () =>
    Effect.provide(
      Effect.gen(function* () {
        const pair = yield* Pair.start(defaultConfig("scripted.test"))
        const [serverHello, ...rest] = frames(yield* pair.flight())
        yield* pair.receive(serverHello!.bytes)
        const flight = concatBytes(...rest.map((frame) => frame.bytes))
        const [half] = yield* stepWith(pair.state, flight.subarray(0, 40))
        const [done] = yield* stepWith(cloneState(half), flight.subarray(40))
        expect(done.phase._tag).toBe("Established")
        expect(half.record.deframer.buffered).toBeGreaterThan(0)
      }),
      clientLayer(),
    ),
  )
})
