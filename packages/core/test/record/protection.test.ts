/**
 * Properties of record protection for each TLS 1.3 suite: round trips with random padding,
 * tampering, sequence numbers and nonces, usage limits, and the alerts for hostile records.
 */
import { describe, expect, it } from "@effect/vitest"
import { type AeadKey, NobleCrypto, TlsCrypto } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import * as fc from "fast-check"
import { type Tls13Suite, tls13Suites } from "../../src/crypto/suites.js"
import type { Fatal } from "../../src/errors.js"
import {
  maxCiphertextLength,
  maxPlaintextLength,
  type OpenedRecord,
  RecordProtector,
  RecordUnprotector,
} from "../../src/record/protection.js"
import { AlertDescription, ContentType } from "../../src/wire/codes.js"
import { toHex } from "../fixtures/rfc8448/fromHex.js"
import { withoutSync } from "./aeadModes.js"

/** The noble service itself: AEAD keys are set up once, records are then synchronous. */
const noble = Effect.runSync(Effect.provide(TlsCrypto, NobleCrypto))

const suites = [...tls13Suites.values()]

interface Keyed {
  readonly suite: Tls13Suite
  readonly aead: AeadKey
  readonly iv: Uint8Array
}

const keyed = (suite: Tls13Suite, seed: number): Keyed => ({
  suite,
  aead: Effect.runSync(noble.aeadKey(suite.aead, new Uint8Array(suite.keyLength).fill(seed))),
  iv: Uint8Array.from({ length: 12 }, (_, i) => (seed * 31 + i * 7) & 0xff),
})

const keys = suites.map((suite, i) => keyed(suite, i + 1))

/** The alert a failure sends, or a description of what else happened. */
const alertOf = <A>(result: Either.Either<A, Fatal>): number | string =>
  Either.match(result, {
    onLeft: (fatal) => (fatal.reason._tag === "AlertSent" ? fatal.reason.alert : fatal.reason._tag),
    onRight: () => "success",
  })

const opened = (result: Either.Either<OpenedRecord, Fatal>): OpenedRecord => Either.getOrThrow(result)
const sealed = (result: Either.Either<Uint8Array, Fatal>): Uint8Array => Either.getOrThrow(result)

const suiteArb = fc.constantFrom(...keys)
const typeArb = fc.integer({ min: 1, max: 255 })
const contentArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 600 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: maxPlaintextLength - 300, maxLength: maxPlaintextLength }) },
)

/** A record made with the raw AEAD at sequence 0: for inner plaintexts our protector would never produce. */
const rawRecord = (k: Keyed, inner: Uint8Array): Uint8Array => {
  const length = inner.length + 16
  const header = Uint8Array.of(ContentType.application_data, 3, 3, length >> 8, length & 0xff)
  const body = k.aead.sync!.seal(k.iv, header, inner)
  const record = new Uint8Array(5 + body.length)
  record.set(header)
  record.set(body, 5)
  return record
}

describe("RecordProtector / RecordUnprotector", () => {
  it.prop(
    "seal then open round-trips type and content with random padding, for every suite",
    [suiteArb, typeArb, contentArb, fc.integer({ min: 0, max: 400 })],
    ([k, type, content, padding]) => {
      const protector = new RecordProtector(k.aead, k.iv, { padding: () => padding })
      const unprotector = new RecordUnprotector(k.aead, k.iv)
      const record = sealed(protector.sealSync(type, content))
      const inner = Math.min(content.length + 1 + padding, maxPlaintextLength + 1)
      expect(record.length).toBe(5 + inner + 16)
      expect(toHex(record.subarray(0, 5))).toBe(toHex(Uint8Array.of(23, 3, 3, (inner + 16) >> 8, (inner + 16) & 0xff)))
      const result = opened(unprotector.openSync(record))
      expect(result.type).toBe(type)
      expect(toHex(result.content)).toBe(toHex(content))
    },
  )

  it.prop(
    "any flipped bit of the legacy version or encrypted record fails with bad_record_mac",
    [suiteArb, typeArb, fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.integer({ min: 0, max: 7 })],
    ([k, type, content, position, bit]) => {
      const record = sealed(new RecordProtector(k.aead, k.iv).sealSync(type, content))
      const index = 1 + (position % (record.length - 1))
      if (index === 3 || index === 4) return
      record[index] = record[index]! ^ (1 << bit)
      expect(alertOf(new RecordUnprotector(k.aead, k.iv).openSync(record))).toBe(AlertDescription.bad_record_mac)
    },
  )

  it.prop(
    "a changed outer type is unexpected_message and a changed length is decode_error",
    [suiteArb, fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 })],
    ([k, content, outerType, delta]) => {
      const record = sealed(new RecordProtector(k.aead, k.iv).sealSync(ContentType.application_data, content))
      const retyped = record.slice()
      retyped[0] = outerType
      const expected = outerType === ContentType.application_data ? "success" : AlertDescription.unexpected_message
      expect(alertOf(new RecordUnprotector(k.aead, k.iv).openSync(retyped))).toBe(expected)
      const relengthed = record.slice()
      relengthed[4] = (relengthed[4]! + delta) & 0xff
      expect(alertOf(new RecordUnprotector(k.aead, k.iv).openSync(relengthed))).toBe(AlertDescription.decode_error)
    },
  )

  it.prop(
    "the nonce is the IV XOR the 64-bit sequence number, for any sequence number",
    [suiteArb, fc.bigUintN(64), fc.uint8Array({ maxLength: 64 })],
    ([k, sequence, content]) => {
      const protector = new RecordProtector(k.aead, k.iv, { initialSequence: sequence, recordLimit: Infinity })
      expect(protector.sequence).toBe(sequence)
      const record = sealed(protector.sealSync(ContentType.application_data, content))
      const nonce = k.iv.slice()
      for (let i = 0; i < 8; i++) nonce[4 + i] = nonce[4 + i]! ^ Number((sequence >> BigInt(56 - 8 * i)) & 0xffn)
      const inner = Uint8Array.of(...content, ContentType.application_data)
      expect(toHex(record.subarray(5))).toBe(toHex(k.aead.sync!.seal(nonce, record.subarray(0, 5), inner)))
      const unprotector = new RecordUnprotector(k.aead, k.iv, { initialSequence: sequence })
      expect(toHex(opened(unprotector.openSync(record)).content)).toBe(toHex(content))
    },
  )

  it.prop(
    "sequence numbers advance per record; a skipped, replayed or reordered record fails",
    [suiteArb, fc.array(fc.uint8Array({ maxLength: 50 }), { minLength: 2, maxLength: 8 })],
    ([k, contents]) => {
      const protector = new RecordProtector(k.aead, k.iv)
      const records = contents.map((c) => sealed(protector.sealSync(ContentType.application_data, c)))
      expect(protector.sequence).toBe(BigInt(contents.length))
      const reader = new RecordUnprotector(k.aead, k.iv)
      records.forEach((record, i) => {
        expect(reader.sequence).toBe(BigInt(i))
        expect(toHex(opened(reader.openSync(record)).content)).toBe(toHex(contents[i]!))
      })
      const skipping = new RecordUnprotector(k.aead, k.iv)
      expect(alertOf(skipping.openSync(records[1]!))).toBe(AlertDescription.bad_record_mac)
      const replaying = new RecordUnprotector(k.aead, k.iv)
      opened(replaying.openSync(records[0]!))
      expect(alertOf(replaying.openSync(records[0]!))).toBe(AlertDescription.bad_record_mac)
    },
  )

  it.prop(
    "needsKeyUpdate turns true at keyUpdateAt records on both sides; sealing stops at recordLimit",
    [suiteArb, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 })],
    ([k, keyUpdateAt, extra]) => {
      const recordLimit = keyUpdateAt + extra
      const protector = new RecordProtector(k.aead, k.iv, { keyUpdateAt, recordLimit })
      const unprotector = new RecordUnprotector(k.aead, k.iv, { keyUpdateAt })
      for (let i = 0; i < recordLimit; i++) {
        expect(protector.needsKeyUpdate).toBe(i >= keyUpdateAt)
        expect(unprotector.needsKeyUpdate).toBe(i >= keyUpdateAt)
        opened(unprotector.openSync(sealed(protector.sealSync(ContentType.application_data, Uint8Array.of(i)))))
      }
      expect(protector.needsKeyUpdate).toBe(true)
      expect(unprotector.needsKeyUpdate).toBe(true)
      expect(alertOf(protector.sealSync(ContentType.application_data, new Uint8Array(1)))).toBe(
        AlertDescription.internal_error,
      )
    },
  )

  it("default limits follow RFC 8446 section 5.5: AES-GCM keys need an update well before 2^24.5 records", () => {
    for (const k of keys) {
      const near = BigInt(Math.floor(2 ** 24.5) - 1)
      const protector = new RecordProtector(k.aead, k.iv, { initialSequence: near })
      const chacha = k.suite.aead === "ChaCha20-Poly1305"
      expect(protector.needsKeyUpdate).toBe(!chacha)
      expect(alertOf(protector.sealSync(ContentType.application_data, new Uint8Array(1)))).toBe("success")
      expect(alertOf(protector.sealSync(ContentType.application_data, new Uint8Array(1)))).toBe(
        chacha ? "success" : AlertDescription.internal_error,
      )
      expect(new RecordProtector(k.aead, k.iv, { initialSequence: 2n ** 24n - 1n }).needsKeyUpdate).toBe(false)
    }
  })

  it("the sequence number never wraps: after record 2^64 - 1 both sides refuse", () => {
    for (const k of keys) {
      const last = 2n ** 64n - 1n
      const protector = new RecordProtector(k.aead, k.iv, { initialSequence: last, recordLimit: Infinity })
      const unprotector = new RecordUnprotector(k.aead, k.iv, { initialSequence: last })
      const record = sealed(protector.sealSync(ContentType.application_data, Uint8Array.of(1, 2, 3)))
      expect(toHex(opened(unprotector.openSync(record)).content)).toBe("010203")
      expect(alertOf(protector.sealSync(ContentType.application_data, Uint8Array.of(4)))).toBe(
        AlertDescription.internal_error,
      )
      expect(alertOf(unprotector.openSync(record))).toBe(AlertDescription.unexpected_message)
    }
  })

  it("hostile records: overflow, no content type, too short, truncated header", () => {
    for (const k of keys) {
      const reader = () => new RecordUnprotector(k.aead, k.iv)
      const tooLong = new Uint8Array(5 + maxCiphertextLength + 1)
      tooLong.set([23, 3, 3, (maxCiphertextLength + 1) >> 8, (maxCiphertextLength + 1) & 0xff])
      expect(alertOf(reader().openSync(tooLong))).toBe(AlertDescription.record_overflow)
      const oversizedInner = new Uint8Array(maxPlaintextLength + 2)
      oversizedInner[maxPlaintextLength + 1] = ContentType.application_data
      expect(alertOf(reader().openSync(rawRecord(k, oversizedInner)))).toBe(AlertDescription.record_overflow)
      const fullInner = new Uint8Array(maxPlaintextLength + 1)
      fullInner[maxPlaintextLength] = ContentType.application_data
      expect(opened(reader().openSync(rawRecord(k, fullInner))).content.length).toBe(maxPlaintextLength)
      expect(alertOf(reader().openSync(rawRecord(k, new Uint8Array(10))))).toBe(AlertDescription.unexpected_message)
      expect(alertOf(reader().openSync(rawRecord(k, new Uint8Array(0))))).toBe(AlertDescription.unexpected_message)
      expect(alertOf(reader().openSync(Uint8Array.of(23, 3, 3, 0, 3, 1, 2, 3)))).toBe(AlertDescription.bad_record_mac)
      expect(alertOf(reader().openSync(Uint8Array.of(23, 3, 3, 0)))).toBe(AlertDescription.decode_error)
    }
  })

  it("refuses to seal oversized content or an invalid content type", () => {
    const k = keys[0]!
    const protector = new RecordProtector(k.aead, k.iv)
    expect(alertOf(protector.sealSync(23, new Uint8Array(maxPlaintextLength + 1)))).toBe(
      AlertDescription.internal_error,
    )
    expect(alertOf(protector.sealSync(0, new Uint8Array(1)))).toBe(AlertDescription.internal_error)
    expect(alertOf(protector.sealSync(256, new Uint8Array(1)))).toBe(AlertDescription.internal_error)
    expect(protector.sequence).toBe(0n)
  })

  it("padding is clamped to 2^14 + 1 bytes of inner plaintext, and odd policies add none", () => {
    const k = keys[0]!
    const full = new RecordProtector(k.aead, k.iv, { padding: () => 1000 })
    const record = sealed(full.sealSync(23, new Uint8Array(maxPlaintextLength - 10)))
    expect(record.length).toBe(5 + maxPlaintextLength + 1 + 16)
    for (const policy of [() => -5, () => Number.NaN, () => Infinity]) {
      const r = sealed(new RecordProtector(k.aead, k.iv, { padding: policy }).sealSync(23, new Uint8Array(7)))
      expect(r.length).toBe(5 + 8 + 16)
    }
  })

  it("seals into a preallocated buffer when it is large enough", () => {
    const k = keys[0]!
    const protector = new RecordProtector(k.aead, k.iv)
    const out = new Uint8Array(1024)
    const record = sealed(protector.sealSync(23, new Uint8Array(100), out))
    expect(record.buffer).toBe(out.buffer)
    expect(record.byteOffset).toBe(0)
    expect(record.length).toBe(5 + 101 + 16)
    const small = new Uint8Array(10)
    const elsewhere = sealed(protector.sealSync(23, new Uint8Array(100), small))
    expect(elsewhere.buffer).not.toBe(small.buffer)
    const reader = new RecordUnprotector(k.aead, k.iv)
    expect(opened(reader.openSync(record)).content.length).toBe(100)
    expect(opened(reader.openSync(elsewhere)).content.length).toBe(100)
  })

  it.effect("the Effect forms work with a key that has no synchronous form, which the sync forms refuse", () =>
    Effect.gen(function* () {
      for (const k of keys) {
        const aead = withoutSync(k.aead)
        const protector = new RecordProtector(aead, k.iv, { padding: () => 3 })
        const unprotector = new RecordUnprotector(aead, k.iv)
        expect(protector.isSync).toBe(false)
        expect(alertOf(protector.sealSync(23, new Uint8Array(1)))).toBe(AlertDescription.internal_error)
        expect(alertOf(unprotector.openSync(new Uint8Array(30)))).toBe(AlertDescription.internal_error)
        const first = yield* protector.seal(ContentType.handshake, Uint8Array.of(1, 2))
        const second = yield* protector.seal(ContentType.alert, Uint8Array.of(2, 0))
        expect((yield* unprotector.open(first)).type).toBe(ContentType.handshake)
        const tampered = second.slice()
        tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1
        const failure = yield* Effect.flip(unprotector.open(tampered))
        expect(alertOf(Either.left(failure))).toBe(AlertDescription.bad_record_mac)
        const syncReader = new RecordUnprotector(k.aead, k.iv)
        opened(syncReader.openSync(first))
        expect(opened(syncReader.openSync(second)).type).toBe(ContentType.alert)
      }
    }),
  )
})

describe("RecordUnprotector: plaintext and the record's memory", () => {
  it("a plaintext the AEAD decrypts in place (in the record's memory) is copied out", () => {
    const k = keys[0]!
    // An AEAD that decrypts in place, as some implementations do: its output is a view of the record.
    const inPlace: AeadKey = {
      ...k.aead,
      sync: {
        seal: k.aead.sync!.seal,
        open: (nonce, aad, sealedBytes) => {
          const plaintext = k.aead.sync!.open(nonce, aad, sealedBytes)
          if (plaintext === undefined) return undefined
          sealedBytes.set(plaintext)
          return sealedBytes.subarray(0, plaintext.length)
        },
      },
    }
    const content = Uint8Array.from({ length: 300 }, (_, i) => i % 251)
    const record = sealed(new RecordProtector(k.aead, k.iv).sealSync(ContentType.application_data, content))
    // The record lies in a transport's buffer, which the transport reuses afterwards.
    const transport = new Uint8Array(record.length + 10)
    transport.set(record, 10)
    const result = opened(new RecordUnprotector(inPlace, k.iv).openSync(transport.subarray(10)))
    transport.fill(0xee)
    expect(result.type).toBe(ContentType.application_data)
    expect(result.content).toStrictEqual(content)
  })
})
