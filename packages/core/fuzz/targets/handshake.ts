/**
 * Fuzz target `handshake`: every handshake message decoder (`decodeHandshake` for each
 * message type, unknown types included), the extension block decoder in each of its
 * seven contexts, and `decodeAlert`, over valid encodings mutated and random bytes.
 * Oracle: nothing throws; the input is left unchanged; a failure names a real alert; a
 * message that decodes is of the type asked for, re-encodes without throwing, and its
 * encoding decodes again to the same encoding (a canonical form is reached in one step).
 */
import { Either } from "effect"
import * as fc from "fast-check"
import { decodeAlert } from "../../src/wire/alert.js"
import { AlertDescription, HandshakeType } from "../../src/wire/codes.js"
import { decodeExtensions, type ExtensionContext, encodeExtensions } from "../../src/wire/extensions.js"
import { decodeHandshake, encodeHandshake, handshakeType } from "../../src/wire/handshake.js"
import type { DecodeError } from "../../src/wire/reader.js"
import { extensionIn, extensionsIn, handshake } from "../../test/wire/arbitraries.js"
import { decoderInput, hexOf, sameBytes } from "../mutate.js"
import { assert, defineTarget, property } from "../target.js"

const alerts: ReadonlySet<number> = new Set(Object.values(AlertDescription))
const contexts = Object.keys(extensionIn) as ReadonlyArray<ExtensionContext>

type Input =
  | { readonly kind: "message"; readonly type: number; readonly body: Uint8Array; readonly maxCertificates: number }
  | { readonly kind: "extensions"; readonly context: ExtensionContext; readonly bytes: Uint8Array }
  | { readonly kind: "alert"; readonly bytes: Uint8Array }

/** A valid message's type and body (the encoding without its 4-byte header). */
const messageSeed = handshake.map((message) => {
  const encoded = encodeHandshake(message)
  return { type: encoded[0]!, body: encoded.subarray(4) }
})

const message: fc.Arbitrary<Input> = fc
  .record({
    seed: messageSeed,
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(...Object.values(HandshakeType)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ),
    maxCertificates: fc.oneof(fc.constant(10), fc.integer({ min: 0, max: 3 })),
  })
  .chain(({ seed, type, maxCertificates }) =>
    decoderInput(fc.constant(seed.body)).map(
      (body): Input => ({ kind: "message", type: type ?? seed.type, body, maxCertificates }),
    ),
  )

const extensions: fc.Arbitrary<Input> = fc
  .constantFrom(...contexts)
  .chain((context) =>
    decoderInput(extensionsIn(context).map(encodeExtensions)).map(
      (bytes): Input => ({ kind: "extensions", context, bytes }),
    ),
  )

const alert: fc.Arbitrary<Input> = fc.uint8Array({ maxLength: 4 }).map((bytes): Input => ({ kind: "alert", bytes }))

const failureAlert = (result: Either.Either<unknown, DecodeError>): void => {
  if (Either.isLeft(result)) {
    assert(alerts.has(result.left.alert), () => `failure with alert ${result.left.alert}: ${result.left.detail}`)
  }
}

const checkMessage = (type: number, body: Uint8Array, maxCertificates: number): void => {
  const decoded = decodeHandshake(type, body, { maxCertificates })
  failureAlert(decoded)
  if (Either.isLeft(decoded)) return
  assert(handshakeType(decoded.right) === type, () => `type ${type} decoded as ${decoded.right._tag}`)
  const encoded = encodeHandshake(decoded.right)
  const again = decodeHandshake(type, encoded.subarray(4), { maxCertificates })
  assert(
    Either.isRight(again),
    () => `the re-encoding ${hexOf(encoded)} does not decode: ${Either.isLeft(again) ? again.left.detail : ""}`,
  )
  const canonical = encodeHandshake(again.right)
  assert(sameBytes(canonical, encoded), () => `re-encoding is not stable: ${hexOf(encoded)} then ${hexOf(canonical)}`)
}

const checkExtensions = (context: ExtensionContext, bytes: Uint8Array): void => {
  const decoded = decodeExtensions(bytes, context)
  failureAlert(decoded)
  if (Either.isLeft(decoded)) return
  const encoded = encodeExtensions(decoded.right)
  const again = decodeExtensions(encoded, context)
  assert(Either.isRight(again), () => `the re-encoding ${hexOf(encoded)} does not decode in ${context}`)
  assert(sameBytes(encodeExtensions(again.right), encoded), () => `re-encoding in ${context} is not stable`)
}

/** The handshake property: inputs and their check. */
export const handshakeProperty = () =>
  property(
    fc.oneof({ weight: 6, arbitrary: message }, { weight: 3, arbitrary: extensions }, { weight: 1, arbitrary: alert }),
    (input: Input) => {
      const bytes = input.kind === "message" ? input.body : input.bytes
      const copy = bytes.slice()
      switch (input.kind) {
        case "message":
          checkMessage(input.type, input.body, input.maxCertificates)
          break
        case "extensions":
          checkExtensions(input.context, input.bytes)
          break
        case "alert":
          failureAlert(decodeAlert(input.bytes))
          break
      }
      assert(sameBytes(bytes, copy), () => "the decoder changed its input")
    },
  )

/** The handshake decoders target. */
export const handshakeTarget = defineTarget(
  "handshake",
  "decodeHandshake (every type), decodeExtensions (every context), decodeAlert",
  handshakeProperty,
)
