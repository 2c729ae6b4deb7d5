/**
 * Helpers to drive the client state machine from tests: run a step and pick outputs.
 */

import { concatBytes } from "@effect-tls/crypto"
import { Effect } from "effect"
import type { Output } from "../../src/handshake/state.js"

/** The bytes of every Send output, concatenated. */
export const sent = (outputs: ReadonlyArray<Output>): Uint8Array =>
  concatBytes(...outputs.flatMap((o) => (o._tag === "Send" ? [o.bytes] : [])))

/** Outputs of one tag. */
export const outputsOf = <T extends Output["_tag"]>(outputs: ReadonlyArray<Output>, tag: T) =>
  outputs.filter((o): o is Extract<Output, { _tag: T }> => o._tag === tag)

/** Hex of bytes, for readable assertion failures. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

export { Effect }
