/**
 * Every fuzz target, in the order `pnpm fuzz` runs them: the wire decoders first (cheap),
 * then DER and certificates, then the state machine.
 */
import type { FuzzTarget } from "../target.js"
import { certificateTarget } from "./certificate.js"
import { deframerTarget } from "./deframer.js"
import { derTarget } from "./der.js"
import { handshakeTarget } from "./handshake.js"
import { reassemblerTarget } from "./reassembler.js"
import { reducerMessagesTarget } from "./reducerMessages.js"
import { reducerRecordsTarget } from "./reducerRecords.js"

/** The targets by name. */
export const targets: ReadonlyArray<FuzzTarget> = [
  deframerTarget,
  reassemblerTarget,
  handshakeTarget,
  derTarget,
  certificateTarget,
  reducerRecordsTarget,
  reducerMessagesTarget,
]

/** The target called `name`, or undefined. */
export const targetNamed = (name: string): FuzzTarget | undefined => targets.find((t) => t.name === name)
