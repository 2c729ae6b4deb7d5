/**
 * The transcript hash: RFC 8448's hashes from its messages (section 3, and section 5 with
 * the HelloRetryRequest message_hash rewrite), buffering before the hash is known, and
 * immutability.
 */
import { describe, expect, it } from "@effect/vitest"
import { concatBytes, NobleCrypto, TlsCrypto } from "@effect-tls/crypto"
import { Effect } from "effect"
import * as fc from "fast-check"
import { PendingTranscript } from "../../src/keyschedule/transcript.js"
import { toHex } from "../fixtures/rfc8448/fromHex.js"
import * as hrr from "../fixtures/rfc8448/hello-retry.js"
import * as simple from "../fixtures/rfc8448/simple-1rtt.js"

/** The noble service itself, for the synchronous property below (hashing never needs Effect). */
const noble = Effect.runSync(Effect.provide(TlsCrypto, NobleCrypto))

describe("Transcript", () => {
  it.effect("8448 section 3: hashes through ServerHello, server Finished and client Finished", () =>
    Effect.gen(function* () {
      const crypto = yield* TlsCrypto
      const hello = PendingTranscript.empty
        .add(simple.clientHello)
        .start(crypto.hasher("SHA-256"))
        .add(simple.serverHello)
      expect(toHex(hello.hash())).toBe(toHex(simple.helloHash))
      const serverDone = hello
        .add(simple.encryptedExtensions)
        .add(simple.certificate)
        .add(simple.certificateVerify)
        .add(simple.serverFinished)
      expect(toHex(serverDone.hash())).toBe(toHex(simple.handshakeHash))
      expect(toHex(serverDone.add(simple.clientFinished).hash())).toBe(toHex(simple.resumptionHash))
      expect(serverDone.algorithm).toBe("SHA-256")
    }).pipe(Effect.provide(NobleCrypto)),
  )

  it.effect("8448 section 5: ClientHello1 becomes message_hash after a HelloRetryRequest", () =>
    Effect.gen(function* () {
      const crypto = yield* TlsCrypto
      const hello = PendingTranscript.empty
        .add(hrr.clientHello1)
        .startAfterHelloRetry(crypto.hasher("SHA-256"))
        .add(hrr.helloRetryRequest)
        .add(hrr.clientHello2)
        .add(hrr.serverHello)
      expect(toHex(hello.hash())).toBe(toHex(hrr.helloHash))
      const messageHash = Uint8Array.of(254, 0, 0, 32, ...crypto.digest("SHA-256", hrr.clientHello1))
      const explicit = crypto.hasher("SHA-256")
      for (const m of [messageHash, hrr.helloRetryRequest, hrr.clientHello2, hrr.serverHello]) explicit.update(m)
      expect(toHex(hello.hash())).toBe(toHex(explicit.snapshot()))
      const plain = PendingTranscript.empty
        .add(hrr.clientHello1)
        .start(crypto.hasher("SHA-256"))
        .add(hrr.helloRetryRequest)
      expect(toHex(plain.add(hrr.clientHello2).add(hrr.serverHello).hash())).not.toBe(toHex(hrr.helloHash))
    }).pipe(Effect.provide(NobleCrypto)),
  )

  it.effect("add returns a new transcript and leaves the old one unchanged", () =>
    Effect.gen(function* () {
      const crypto = yield* TlsCrypto
      const hello = PendingTranscript.empty.add(simple.clientHello).start(crypto.hasher("SHA-256"))
      const before = toHex(hello.hash())
      const first = hello.add(simple.serverHello)
      const second = hello.add(simple.serverHello)
      expect(toHex(hello.hash())).toBe(before)
      expect(toHex(first.hash())).toBe(toHex(second.hash()))
      expect(toHex(first.hash())).toBe(toHex(simple.helloHash))
    }).pipe(Effect.provide(NobleCrypto)),
  )

  it.effect("buffered ClientHello bytes are copied: later changes to the caller's buffer do not count", () =>
    Effect.gen(function* () {
      const crypto = yield* TlsCrypto
      const buffer = simple.clientHello.slice()
      const pending = PendingTranscript.empty.add(buffer)
      buffer.fill(0)
      const hello = pending.start(crypto.hasher("SHA-256")).add(simple.serverHello)
      expect(toHex(hello.hash())).toBe(toHex(simple.helloHash))
    }).pipe(Effect.provide(NobleCrypto)),
  )

  it.prop(
    "buffering messages and then starting equals hashing them as they come, for SHA-256 and SHA-384",
    [
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }),
      fc.nat(6),
      fc.constantFrom("SHA-256" as const, "SHA-384" as const),
    ],
    ([messages, split, hash]) => {
      const cut = Math.min(split, messages.length)
      let pending = PendingTranscript.empty
      for (const m of messages.slice(0, cut)) pending = pending.add(m)
      let transcript = pending.start(noble.hasher(hash))
      for (const m of messages.slice(cut)) transcript = transcript.add(m)
      const all = concatBytes(...messages)
      expect(toHex(transcript.hash())).toBe(toHex(noble.digest(hash, all)))
    },
  )
})
