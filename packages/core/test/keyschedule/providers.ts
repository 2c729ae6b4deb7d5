/**
 * The `TlsCrypto` layers the key schedule and record tests run against: every vector must
 * hold for each provider.
 */
import { NobleCrypto, type TlsCrypto } from "@effect-tls/crypto"
import { NodeCrypto } from "@effect-tls/crypto/node"
import type { Layer } from "effect"

export const providers: ReadonlyArray<readonly [name: string, layer: Layer.Layer<TlsCrypto>]> = [
  ["noble", NobleCrypto],
  ["node", NodeCrypto],
]
