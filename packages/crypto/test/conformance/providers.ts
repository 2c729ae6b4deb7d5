/**
 * The layers the conformance suite runs on, one row each. A row gives the layer under test
 * and a way to make the same provider with a scripted ephemeral private key (the testing
 * layer), which the key-agreement vectors need.
 */
import { type KeyAgreementGroup, NobleCrypto, type TlsCrypto } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import { TestingCrypto } from "@effect-tls/crypto/testing"
import { WebCrypto } from "@effect-tls/crypto/webcrypto"
import type { Layer } from "effect"
import type { ScriptedLayer } from "./keyAgreement.js"

/** One provider under test. */
export interface Provider {
  readonly layer: Layer.Layer<TlsCrypto>
  readonly scripted: ScriptedLayer
}

const scriptedOn =
  (provider: "noble" | "node" | "webcrypto"): ScriptedLayer =>
  (group: KeyAgreementGroup, privateKey: Uint8Array) =>
    TestingCrypto.layer({ provider, script: { privateKeys: { [group]: privateKey } } })

/** The rows, `[name, provider]`, for `describe.each`. */
export const providers: Array<[name: string, provider: Provider]> = [
  ["noble", { layer: NobleCrypto, scripted: scriptedOn("noble") }],
  ["node", { layer: NodeCrypto, scripted: scriptedOn("node") }],
  ["webcrypto", { layer: WebCrypto, scripted: scriptedOn("webcrypto") }],
]
