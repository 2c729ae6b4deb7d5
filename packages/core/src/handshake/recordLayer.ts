/**
 * The connection's record layer: the deframer and handshake reassembler for what arrives,
 * the current read and write protection, and the encoding of outgoing records (split into
 * fragments the peer accepts, protected once keys exist). Mutable by design: it holds the
 * buffers and sequence numbers of one connection, and the state machine owns it.
 *
 * @since 0.1.0
 */
import { inlineSuspend } from "@effect-tls/crypto"
import { Effect } from "effect"
import type { Fatal } from "../errors.js"
import type { RecordProtector, RecordUnprotector } from "../record/protection.js"
import { ContentType, ProtocolVersion } from "../wire/codes.js"
import { HandshakeReassembler } from "../wire/reassembler.js"
import { Deframer, encodeRecordHeader, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from "../wire/record.js"
import type { HandshakeLimits } from "./config.js"

const changeCipherSpecRecord = Uint8Array.of(ContentType.change_cipher_spec, 0x03, 0x03, 0x00, 0x01, 0x01)

/** The record layer of one connection. @since 0.1.0 */
export class RecordLayer {
  /** Decrypts what the peer sends, once the peer's keys exist. */
  reader: RecordUnprotector | undefined = undefined
  /** Encrypts what we send, once our keys exist. */
  writer: RecordProtector | undefined = undefined
  /** Largest content per record we send: 2^14, or less when the peer's record_size_limit asks. */
  maxFragment = MAX_PLAINTEXT_LENGTH
  /** Consecutive records without content (empty, or ChangeCipherSpec). */
  emptyInARow = 0

  /** A new record layer; `clone` passes the deframer and reassembler its copy continues with. */
  constructor(
    readonly limits: HandshakeLimits,
    readonly deframer: Deframer = new Deframer(),
    readonly reassembler: HandshakeReassembler = new HandshakeReassembler(limits.maxHandshakeMessage),
  ) {}

  /**
   * An independent copy: its own buffers and sequence numbers, sharing the immutable keys.
   * With `cloneState`, a saved connection state can be stepped many times from one point.
   */
  clone(): RecordLayer {
    const copy = new RecordLayer(this.limits, this.deframer.clone(), this.reassembler.clone())
    copy.reader = this.reader?.clone()
    copy.writer = this.writer?.clone()
    copy.maxFragment = this.maxFragment
    copy.emptyInARow = this.emptyInARow
    return copy
  }

  /** Plaintext records (before keys exist): `payload` cut into fragments. */
  plaintext(type: number, payload: Uint8Array, version: number = ProtocolVersion.TLSv1_2): Uint8Array {
    const count = Math.max(1, Math.ceil(payload.length / MAX_PLAINTEXT_LENGTH))
    const out = new Uint8Array(payload.length + count * RECORD_HEADER_LENGTH)
    let offset = 0
    for (let start = 0; start < payload.length || offset === 0; start += MAX_PLAINTEXT_LENGTH) {
      const fragment = payload.subarray(start, Math.min(payload.length, start + MAX_PLAINTEXT_LENGTH))
      encodeRecordHeader(type, fragment.length, out, offset, version)
      out.set(fragment, offset + RECORD_HEADER_LENGTH)
      offset += RECORD_HEADER_LENGTH + fragment.length
    }
    return out
  }

  /** Records of `type` carrying `payload`, protected with the current write key. */
  protect(type: number, payload: Uint8Array): Effect.Effect<ReadonlyArray<Uint8Array>, Fatal> {
    const writer = this.writer
    if (writer === undefined) return Effect.succeed([this.plaintext(type, payload)])
    const size = this.maxFragment
    if (writer.isSync) {
      return inlineSuspend(() => {
        const records: Array<Uint8Array> = []
        for (let start = 0; start < payload.length || records.length === 0; start += size) {
          const sealed = writer.sealSync(type, payload.subarray(start, Math.min(payload.length, start + size)))
          if (sealed._tag === "Left") return Effect.fail(sealed.left)
          records.push(sealed.right)
        }
        return Effect.succeed(records)
      })
    }
    const fragments: Array<Uint8Array> = []
    for (let start = 0; start < payload.length || fragments.length === 0; start += size) {
      fragments.push(payload.subarray(start, Math.min(payload.length, start + size)))
    }
    return Effect.forEach(fragments, (fragment) => writer.seal(type, fragment))
  }

  /** The middlebox-compatibility ChangeCipherSpec record (RFC 8446 appendix D.4). */
  changeCipherSpec(): Uint8Array {
    return changeCipherSpecRecord
  }
}
