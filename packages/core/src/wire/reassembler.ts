/**
 * Joins the plaintext of handshake records into handshake messages (RFC 8446 section 5.1):
 * a message may be split over many records and one record may hold many messages. Each
 * message header's length is checked against the limit as soon as the header is visible,
 * before its body is buffered.
 *
 * @since 0.1.0
 */
import { AlertDescription } from "./codes.js"
import { DecodeError } from "./reader.js"

/** Length of a handshake message header: msg_type (1), length (3). @since 0.1.0 */
export const HANDSHAKE_HEADER_LENGTH = 4

/** Default largest handshake message body we accept: 64 KiB. @since 0.1.0 */
export const DEFAULT_MAX_HANDSHAKE_LENGTH = 65536

/**
 * A complete handshake message. `raw` (header and body, as hashed into the transcript) is
 * the reassembler's own copy, so it and `body` (a view of it) stay valid for good.
 *
 * @since 0.1.0
 */
export interface HandshakeMessage {
  readonly type: number
  readonly body: Uint8Array
  readonly raw: Uint8Array
}

/** The reassembler's buffer when it holds nothing: an established connection keeps no buffer. */
const noBuffer = new Uint8Array(0)

/** The smallest buffer the reassembler allocates. */
const initialBufferLength = 4096

/** The body length in the handshake header at `at`. */
const lengthOf = (bytes: Uint8Array, at: number): number =>
  (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!

/** A message from its own copy of header and body. */
const message = (raw: Uint8Array): HandshakeMessage => ({
  type: raw[0]!,
  body: raw.subarray(HANDSHAKE_HEADER_LENGTH),
  raw,
})

/**
 * Reassembles handshake messages. `push` the plaintext of each handshake record, then call
 * `next` until it returns `undefined` (more needed) or a `DecodeError` (fatal; complete
 * messages received before the fault are still returned first).
 *
 * A record pushed while nothing is held is read in place: each message whole inside it is
 * returned as its own copy, and only an incomplete tail is copied into the buffer. So the
 * caller must leave a pushed fragment unchanged until `next` returned `undefined` (or it
 * pushes the next one), as with the deframer.
 *
 * @since 0.1.0
 */
export class HandshakeReassembler {
  /** Held bytes at `start..end`; `noBuffer` while nothing is held. */
  private buf: Uint8Array = noBuffer
  private start = 0
  private end = 0
  /** Offset of the next header not yet checked. */
  private scan = 0
  private error: DecodeError | undefined = undefined
  private errorAt = 0
  /** A fragment pushed while nothing was held, read in place from `fragmentPos`. */
  private fragment: Uint8Array | undefined = undefined
  private fragmentPos = 0

  /** @param maxMessageLength largest accepted body length (default 64 KiB). */
  constructor(private readonly maxMessageLength: number = DEFAULT_MAX_HANDSHAKE_LENGTH) {}

  /**
   * An independent copy in the same state (held bytes and the unread part of a fragment read
   * in place copied), to save and restore a connection's state.
   */
  clone(): HandshakeReassembler {
    const copy = new HandshakeReassembler(this.maxMessageLength)
    if (this.fragment !== undefined) copy.fragment = this.fragment.slice(this.fragmentPos)
    copy.buf = this.buf.slice()
    copy.start = this.start
    copy.end = this.end
    copy.scan = this.scan
    copy.error = this.error
    copy.errorAt = this.errorAt
    return copy
  }

  /**
   * Bytes held that are not yet returned as messages. Must be 0 before a key change:
   * handshake messages may not span one (RFC 8446 section 5.1).
   */
  get buffered(): number {
    return this.end - this.start + (this.fragment === undefined ? 0 : this.fragment.length - this.fragmentPos)
  }

  /** Adds the plaintext of one handshake record. */
  push(fragment: Uint8Array): void {
    if (this.error !== undefined) return
    this.holdFragment()
    if (fragment.length === 0) {
      this.fault(this.end, AlertDescription.unexpected_message, "zero-length handshake fragment")
      return
    }
    if (this.end === this.start) {
      this.fragment = fragment
      this.fragmentPos = 0
      return
    }
    this.hold(fragment)
  }

  /** Copies what is left of the fragment read in place into the buffer. */
  private holdFragment(): void {
    const fragment = this.fragment
    if (fragment === undefined) return
    this.fragment = undefined
    this.hold(fragment.subarray(this.fragmentPos))
  }

  /** Appends `fragment` to the held bytes, checking each header that becomes visible. */
  private hold(fragment: Uint8Array): void {
    this.makeRoom(fragment.length)
    this.buf.set(fragment, this.end)
    this.end += fragment.length
    while (this.end - this.scan >= HANDSHAKE_HEADER_LENGTH) {
      const length = this.lengthAt(this.scan)
      if (length > this.maxMessageLength) {
        this.fault(
          this.scan,
          AlertDescription.illegal_parameter,
          `handshake message of ${length} bytes exceeds the limit of ${this.maxMessageLength}`,
        )
        return
      }
      this.scan += HANDSHAKE_HEADER_LENGTH + length
    }
  }

  /** The next complete message, `undefined` when more bytes are needed, or the fatal error. */
  next(): HandshakeMessage | DecodeError | undefined {
    if (this.fragment !== undefined) {
      const inPlace = this.nextInFragment(this.fragment)
      if (inPlace !== undefined) return inPlace
    }
    const at = this.start
    const held = this.end - at
    const complete =
      held >= HANDSHAKE_HEADER_LENGTH &&
      (this.error === undefined || at < this.errorAt) &&
      held >= HANDSHAKE_HEADER_LENGTH + this.lengthAt(at)
    if (!complete) return this.error
    const raw = this.buf.slice(at, at + HANDSHAKE_HEADER_LENGTH + this.lengthAt(at))
    this.start = at + raw.length
    // Everything returned: let the buffer go (messages are copies of it).
    if (this.start === this.end && this.error === undefined) {
      this.buf = noBuffer
      this.start = 0
      this.end = 0
      this.scan = 0
    }
    return message(raw)
  }

  /**
   * The next message whole inside the fragment read in place, or the fault of its header;
   * otherwise the rest of the fragment is held and `undefined` returned.
   */
  private nextInFragment(fragment: Uint8Array): HandshakeMessage | DecodeError | undefined {
    const at = this.fragmentPos
    const left = fragment.length - at
    if (left >= HANDSHAKE_HEADER_LENGTH) {
      const length = lengthOf(fragment, at)
      if (length <= this.maxMessageLength && left >= HANDSHAKE_HEADER_LENGTH + length) {
        const raw = fragment.slice(at, at + HANDSHAKE_HEADER_LENGTH + length)
        this.fragmentPos = at + raw.length
        if (this.fragmentPos === fragment.length) this.fragment = undefined
        return message(raw)
      }
    }
    // An incomplete message (or an oversized header, which `hold` faults on): held as usual.
    this.holdFragment()
    return undefined
  }

  private lengthAt(at: number): number {
    return lengthOf(this.buf, at)
  }

  /** Records the fatal error; messages that end before offset `at` are still returned. */
  private fault(at: number, alert: number, detail: string): void {
    this.errorAt = at
    this.error = new DecodeError({ alert, detail })
  }

  /** Moves held bytes to the front (returned messages are copies) and grows if needed. */
  private makeRoom(n: number): void {
    const held = this.end - this.start
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end)
      this.scan -= this.start
      this.start = 0
      this.end = held
    }
    if (held + n > this.buf.length) {
      let size = Math.max(initialBufferLength, this.buf.length * 2)
      while (size < held + n) size *= 2
      const grown = new Uint8Array(size)
      grown.set(this.buf.subarray(0, held))
      this.buf = grown
    }
  }
}
