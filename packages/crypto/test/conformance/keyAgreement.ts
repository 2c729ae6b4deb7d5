/**
 * The key-agreement runner (x25519 and ECDH with raw SEC1 points, the TLS key_share form).
 * A layer cannot be handed a private key directly, so each case runs on a layer whose
 * randomness answers the `PrivateKey` draw with the vector's private key: the key share it
 * generates then holds exactly that key, and `agree(public)` must give `shared`.
 */
import { type KeyAgreementGroup, TlsCrypto } from "@effect-tls/crypto"
import { Effect, type Layer } from "effect"
import { fixedWidth, fromHex } from "./hex.js"
import { accept, check, judge, observe, reject, type Verdict } from "./outcome.js"
import { type Plan, planCase, rule } from "./plan.js"
import { loadVectors } from "./vectors.js"

/** A provider's layer whose key share for `group` has the private key `privateKey`. */
export type ScriptedLayer = (group: KeyAgreementGroup, privateKey: Uint8Array) => Layer.Layer<TlsCrypto>

/** The key-agreement vector files. */
export type KeyAgreementFile = "x25519" | "ecdh_secp256r1_ecpoint" | "ecdh_secp384r1_ecpoint"

const groups: Readonly<Record<KeyAgreementFile, { readonly group: KeyAgreementGroup; readonly size: number }>> = {
  x25519: { group: "x25519", size: 32 },
  ecdh_secp256r1_ecpoint: { group: "secp256r1", size: 32 },
  ecdh_secp384r1_ecpoint: { group: "secp384r1", size: 48 },
}

/** The length and leading byte of the share a layer must publish (RFC 8446 section 4.2.8.2). */
const isWireShare = (group: KeyAgreementGroup, size: number, share: Uint8Array): boolean =>
  group === "x25519" ? share.length === 32 : share.length === 1 + 2 * size && share[0] === 0x04

/**
 * Plans every case of a key-agreement file on layers made by `scripted`. A private key that
 * does not fit the group's size (none in these files) is counted as skipped.
 */
export const planKeyAgreement = (file: KeyAgreementFile, scripted: ScriptedLayer): Plan => {
  const { group, size } = groups[file]
  const family = file === "x25519" ? "x25519" : "ecdh"
  let skipped = 0
  const cases = loadVectors(file).testGroups.flatMap((vectorGroup) =>
    vectorGroup.tests.flatMap((testCase) => {
      const privateKey = fixedWidth(fromHex(testCase.private), size)
      if (privateKey === undefined) {
        skipped++
        return []
      }
      const peer = fromHex(testCase.public)
      const ruling = rule(file, testCase, accept(fromHex(testCase.shared)), reject("InvalidPeerShare"), family)
      return [
        planCase(testCase, ruling, (verdict: Verdict, label) =>
          Effect.gen(function* () {
            const crypto = yield* TlsCrypto
            const generated = yield* observe(() => crypto.generateKeyShare(group))
            if (generated._tag !== "Value") return [judge(`${label} generateKeyShare`, generated, accept())]
            const share = generated.value
            return [
              share.group === group && isWireShare(group, size, share.publicKey)
                ? undefined
                : `${label}: key share is not a ${group} share in TLS wire form`,
              yield* check(`${label} agree`, () => share.agree(peer), verdict),
            ]
          }).pipe(Effect.provide(scripted(group, privateKey))),
        ),
      ]
    }),
  )
  return { file, cases, skipped }
}
