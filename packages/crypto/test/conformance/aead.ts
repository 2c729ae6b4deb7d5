/**
 * The AEAD runner (AES-GCM, ChaCha20-Poly1305): `aeadKey(alg, key)`, then `open(iv, aad,
 * ct || tag)` gives `msg` for valid cases and fails with `AeadOpenFailed` for invalid ones,
 * and `seal` of a valid case gives `ct || tag`. When the key offers the synchronous form
 * (`sync`, the record layer's hot path) the same checks run on it, where a failed open is
 * `undefined` and a throw is a finding.
 */
import { type AeadAlgorithm, type AeadKey, AeadOpenFailed, TlsCrypto } from "@effect-tls/crypto"
import { Effect } from "effect"
import { fromHex } from "./hex.js"
import { accept, check, judge, observe, reject, type Verdict } from "./outcome.js"
import { type Plan, planCase, rule } from "./plan.js"
import { type AeadGroup, loadVectors } from "./vectors.js"

/** The AEAD vector files. */
export type AeadFile = "aes_gcm" | "chacha20_poly1305"

/**
 * The TLS algorithm a group exercises, or `undefined` for groups TLS never uses: TLS 1.3
 * and 1.2 AEADs have 96-bit nonces, 128-bit tags, and AES keys of 128 or 256 bits.
 * ChaCha20-Poly1305 groups with other nonce sizes are kept: all their cases are invalid
 * (RFC 8439 allows 96 bits only) and `open` must refuse them.
 */
const algorithmOf = (file: AeadFile, group: AeadGroup): AeadAlgorithm | undefined => {
  if (group.tagSize !== 128) return undefined
  if (file === "chacha20_poly1305") return group.keySize === 256 ? "ChaCha20-Poly1305" : undefined
  if (group.ivSize !== 96) return undefined
  return group.keySize === 128 ? "AES-128-GCM" : group.keySize === 256 ? "AES-256-GCM" : undefined
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** The synchronous `open` as an Effect: `undefined` becomes `AeadOpenFailed`, a throw a defect. */
const syncOpen = (key: AeadKey, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array) =>
  Effect.suspend(() => {
    const opened = key.sync?.open(nonce, aad, sealed)
    return opened === undefined ? Effect.fail(new AeadOpenFailed()) : Effect.succeed(opened)
  })

/** Plans every case of an AEAD file; groups TLS does not use are counted as skipped. */
export const planAead = (file: AeadFile): Plan => {
  const vectors = loadVectors(file)
  let skipped = 0
  const cases = vectors.testGroups.flatMap((group) => {
    const algorithm = algorithmOf(file, group)
    if (algorithm === undefined) {
      skipped += group.tests.length
      return []
    }
    return group.tests.map((testCase) => {
      const key = fromHex(testCase.key)
      const nonce = fromHex(testCase.iv)
      const aad = fromHex(testCase.aad)
      const msg = fromHex(testCase.msg)
      const sealed = concat(fromHex(testCase.ct), fromHex(testCase.tag))
      const ruling = rule(file, testCase, accept(msg), reject("AeadOpenFailed"))
      return planCase(testCase, ruling, (verdict: Verdict, label) =>
        Effect.gen(function* () {
          const crypto = yield* TlsCrypto
          const keyed = yield* observe(() => crypto.aeadKey(algorithm, key))
          if (keyed._tag !== "Value") return [judge(`${label} aeadKey`, keyed, accept())]
          const aeadKey = keyed.value
          const sealing = verdict._tag === "Accept"
          const findings = [
            yield* check(`${label} open`, () => aeadKey.open(nonce, aad, sealed), verdict),
            sealing ? yield* check(`${label} seal`, () => aeadKey.seal(nonce, aad, msg), accept(sealed)) : undefined,
          ]
          if (aeadKey.sync !== undefined) {
            const sync = aeadKey.sync
            findings.push(yield* check(`${label} sync.open`, () => syncOpen(aeadKey, nonce, aad, sealed), verdict))
            if (sealing) {
              findings.push(
                yield* check(`${label} sync.seal`, () => Effect.sync(() => sync.seal(nonce, aad, msg)), accept(sealed)),
              )
            }
          }
          return findings
        }),
      )
    })
  })
  return { file, cases, skipped }
}
