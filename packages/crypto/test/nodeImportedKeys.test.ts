/**
 * The node layer keeps public keys it imported, by SPKI: a key seen before must still decide
 * exactly as a fresh import would, for every signature and against every other key.
 */
import { generateKeyPairSync, sign } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { makeNodeCrypto, nodeRandom } from "@effect-tls/crypto/node"
import { Effect, Exit } from "effect"

const crypto = makeNodeCrypto(nodeRandom)
const algorithm = { _tag: "Ecdsa", hash: "SHA-256" } as const

const signer = () => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const spki = new Uint8Array(publicKey.export({ format: "der", type: "spki" }))
  return { spki, sign: (message: Uint8Array) => new Uint8Array(sign("sha256", message, privateKey)) }
}

const verified = (spki: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  Exit.isSuccess(Effect.runSyncExit(crypto.verify({ spki, algorithm, message, signature })))

describe("node layer: public keys imported once", () => {
  it("a key used again accepts its own signatures and refuses others, as on first use", () => {
    const [a, b] = [signer(), signer()]
    const message = new TextEncoder().encode("the same message")
    for (let round = 0; round < 3; round++) {
      expect(verified(a.spki, message, a.sign(message))).toBe(true)
      expect(verified(a.spki, message, b.sign(message))).toBe(false)
      expect(verified(b.spki, message, b.sign(message))).toBe(true)
      expect(verified(b.spki, message, a.sign(message))).toBe(false)
      expect(verified(a.spki, new TextEncoder().encode("another message"), a.sign(message))).toBe(false)
    }
  })

  it("more keys than the cache holds: each still verifies only its own signatures", () => {
    const signers = Array.from({ length: 300 }, signer)
    const message = new Uint8Array([1, 2, 3])
    const signatures = signers.map((s) => s.sign(message))
    for (let round = 0; round < 2; round++) {
      signers.forEach((s, i) => {
        expect(verified(s.spki, message, signatures[i]!)).toBe(true)
        expect(verified(s.spki, message, signatures[(i + 1) % signers.length]!)).toBe(false)
      })
    }
  })
})
