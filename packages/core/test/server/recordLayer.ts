/**
 * The scripted server's record layer, on the library's own framing and record protection:
 * planned records are framed as they are (plaintext) or sealed with the server's handshake
 * or application keys; the client's records are cut by a `Deframer` and opened with the
 * client's current keys.
 */
import { concatBytes } from "@effect-tls/crypto"
import { Data, Effect } from "effect"
import type { OpenedRecord, RecordProtector, RecordUnprotector } from "../../src/record/protection.js"
import { ContentType } from "../../src/wire/codes.js"
import { HandshakeReassembler } from "../../src/wire/reassembler.js"
import { Deframer, encodeRecordHeader, MAX_PLAINTEXT_LENGTH, type TlsRecord } from "../../src/wire/record.js"
import type { PlannedRecord, Protection } from "./options.js"

/** The server met something it cannot go on with (a broken client, or a test asking for the impossible). */
export class ServerError extends Data.TaggedError("ServerError")<{ readonly detail: string }> {
  override get message(): string {
    return `scripted server: ${this.detail}`
  }
}

/** A plaintext record: header and content as they are (no length check, so tests can send oversized ones). */
export const plaintextRecord = (type: number, content: Uint8Array): Uint8Array => {
  const out = new Uint8Array(5 + content.length)
  encodeRecordHeader(type, content.length, out, 0)
  out.set(content, 5)
  return out
}

/** The server's records, both directions. */
export class ServerRecordLayer {
  readonly deframer = new Deframer()
  readonly reassembler = new HandshakeReassembler()
  handshakeWriter: RecordProtector | undefined = undefined
  applicationWriter: RecordProtector | undefined = undefined
  /** Opens the client's protected records once its keys exist. */
  reader: RecordUnprotector | undefined = undefined
  /** Largest content per protected record: 2^14, or less when the client's record_size_limit asks. */
  maxFragment = MAX_PLAINTEXT_LENGTH

  /** The keys anything sent now goes under: application keys once the server's Finished is out. */
  get current(): Protection {
    return this.applicationWriter !== undefined
      ? "application"
      : this.handshakeWriter !== undefined
        ? "handshake"
        : "plaintext"
  }

  /** `payload` cut into records of at most `maxFragment` bytes (one record when it is empty). */
  plan(type: number, payload: Uint8Array, keys: Protection): Array<PlannedRecord> {
    const records: Array<PlannedRecord> = []
    for (let start = 0; start < payload.length || records.length === 0; start += this.maxFragment) {
      records.push({ type, content: payload.subarray(start, start + this.maxFragment), keys })
    }
    return records
  }

  /** The wire bytes of `records`, each framed or sealed with the keys it names. */
  seal(records: ReadonlyArray<PlannedRecord>): Effect.Effect<Uint8Array, ServerError> {
    return Effect.map(
      Effect.forEach(records, (record) => {
        if (record.keys === "plaintext") return Effect.succeed(plaintextRecord(record.type, record.content))
        const writer = record.keys === "handshake" ? this.handshakeWriter : this.applicationWriter
        if (writer === undefined) return Effect.fail(new ServerError({ detail: `no ${record.keys} keys yet` }))
        return Effect.mapError(writer.seal(record.type, record.content), (e) => new ServerError({ detail: e.message }))
      }),
      (parts) => concatBytes(...parts),
    )
  }

  /** A client record's real type and content, decrypted when the client's keys exist. */
  open(record: TlsRecord): Effect.Effect<OpenedRecord, ServerError> {
    if (this.reader === undefined || record.type !== ContentType.application_data) {
      return Effect.succeed({ type: record.type, content: record.fragment })
    }
    return Effect.mapError(this.reader.open(record.raw), (e) => new ServerError({ detail: e.message }))
  }
}
