/**
 * Small builders for the scripted server's hooks and planned records, so a hostile flight
 * reads as one line in a test: rewrite the messages of one type, insert records into a
 * flight, make a handshake or alert record.
 */
import { encodeAlert } from "../../src/wire/alert.js"
import { AlertLevel, ContentType } from "../../src/wire/codes.js"
import { encodeHandshake, type Handshake } from "../../src/wire/handshake.js"
import type { FlightName, PlannedRecord, Protection, ServerHooks } from "./options.js"

/** The handshake message of tag `T`. */
export type MessageOf<T extends Handshake["_tag"]> = Extract<Handshake, { _tag: T }>

/** A message hook that rewrites the messages tagged `tag` and leaves the others. */
export const rewrite =
  <T extends Handshake["_tag"]>(tag: T, f: (message: MessageOf<T>) => Handshake) =>
  (message: Handshake): Handshake =>
    message._tag === tag ? f(message as MessageOf<T>) : message

/** A records hook that inserts `records` into flight `name` at index `at` (negative: from the end). */
export const insertRecords =
  (name: FlightName, at: number, ...records: ReadonlyArray<PlannedRecord>): NonNullable<ServerHooks["records"]> =>
  (planned, flight) => {
    if (flight !== name) return planned
    const index = at < 0 ? planned.length + at : at
    return [...planned.slice(0, index), ...records, ...planned.slice(index)]
  }

/** A handshake record holding `message` (encoded here when it is not bytes yet). */
export const handshakeRecord = (message: Handshake | Uint8Array, keys: Protection): PlannedRecord => ({
  type: ContentType.handshake,
  content: message instanceof Uint8Array ? message : encodeHandshake(message),
  keys,
})

/** An alert record. */
export const alertRecord = (
  description: number,
  keys: Protection,
  level: number = AlertLevel.fatal,
): PlannedRecord => ({
  type: ContentType.alert,
  content: encodeAlert({ level, description }),
  keys,
})

/** A ChangeCipherSpec record (plaintext, as always). */
export const changeCipherSpecRecord = (body: Uint8Array = Uint8Array.of(1)): PlannedRecord => ({
  type: ContentType.change_cipher_spec,
  content: body,
  keys: "plaintext",
})
