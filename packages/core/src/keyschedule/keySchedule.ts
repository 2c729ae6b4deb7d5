/**
 * The TLS 1.3 key schedule (RFC 8446 section 7.1), one type per stage so that a secret
 * cannot be used before the step that makes it:
 *
 *   EarlySecret ──(EC)DHE, Hash(ClientHello..ServerHello)──▶ HandshakeSecret
 *     ──Hash(ClientHello..server Finished)──▶ MasterSecret
 *     ──Hash(ClientHello..client Finished)──▶ ResumptionMasterSecret
 *
 * Each stage is only made by the one before it (EarlySecret by `EarlySecret.make`). Beside
 * the stages: Finished keys and verify_data (4.4.4), the next traffic secret of a
 * KeyUpdate (7.2) and the traffic key and IV of a secret (7.3).
 *
 * @since 0.1.0
 */
import { type CryptoError, type HashAlgorithm, hashLength, inlineGen, TlsCrypto } from "@effect-tls/crypto"
import type { Effect } from "effect"
import type { Tls13Suite } from "../crypto/suites.js"
import { deriveSecret, deriveSecretFromEmpty, expandLabel } from "./hkdfLabel.js"

type Step<A> = Effect.Effect<A, CryptoError, TlsCrypto>

const zeros = (hash: HashAlgorithm): Uint8Array => new Uint8Array(hashLength(hash))

/**
 * HKDF-Extract(Derive-Secret(previous, "derived", ""), ikm): the step from one stage's secret to the next.
 * Generators here are made once (module level or class methods): see inline.ts on generator closures.
 */
function* nextStage(hash: HashAlgorithm, previous: Uint8Array, ikm: Uint8Array) {
  const crypto = yield* TlsCrypto
  const salt = yield* deriveSecretFromEmpty(hash, previous, "derived")
  const secret = yield* crypto.hkdfExtract(hash, salt, ikm)
  salt.fill(0)
  return secret
}

/**
 * Stage 1: the Early Secret, HKDF-Extract(0, PSK), with a zero PSK when none is offered.
 *
 * @since 0.1.0
 */
export class EarlySecret {
  private constructor(
    readonly hash: HashAlgorithm,
    /** The Early Secret itself. */
    readonly secret: Uint8Array,
  ) {}

  /**
   * The Early Secret for a handshake with `psk` (a resumption PSK from `resumptionPsk`, or
   * an external one), or without a PSK when `psk` is omitted. `hash` is the PSK's suite hash,
   * or the negotiated suite's hash when there is no PSK.
   */
  static make(hash: HashAlgorithm, psk?: Uint8Array): Step<EarlySecret> {
    return inlineGen(() => EarlySecret.makeSteps(hash, psk))
  }

  private static *makeSteps(hash: HashAlgorithm, psk: Uint8Array | undefined) {
    const crypto = yield* TlsCrypto
    return new EarlySecret(hash, yield* crypto.hkdfExtract(hash, zeros(hash), psk ?? zeros(hash)))
  }

  /** The PSK binder key (4.2.11): "res binder" for a resumption PSK, "ext binder" for an external one. */
  binderKey(kind: "resumption" | "external"): Step<Uint8Array> {
    return deriveSecretFromEmpty(this.hash, this.secret, kind === "resumption" ? "res binder" : "ext binder")
  }

  /**
   * The Handshake Secret from the (EC)DHE shared secret (zeros for psk_ke, i.e. when
   * `sharedSecret` is undefined), and the handshake traffic secrets over `helloHash`,
   * Transcript-Hash(ClientHello..ServerHello).
   */
  handshake(sharedSecret: Uint8Array | undefined, helloHash: Uint8Array): Step<HandshakeSecret> {
    return HandshakeSecret.derive(this, sharedSecret ?? zeros(this.hash), helloHash)
  }
}

/**
 * Stage 2: the Handshake Secret and the client and server handshake traffic secrets.
 *
 * @since 0.1.0
 */
export class HandshakeSecret {
  private constructor(
    readonly hash: HashAlgorithm,
    /** The Handshake Secret itself. */
    readonly secret: Uint8Array,
    /** client_handshake_traffic_secret: protects the client's Finished (and certificate). */
    readonly clientHandshakeTrafficSecret: Uint8Array,
    /** server_handshake_traffic_secret: protects EncryptedExtensions..server Finished. */
    readonly serverHandshakeTrafficSecret: Uint8Array,
  ) {}

  /** Made by `EarlySecret.handshake`. */
  static derive(early: EarlySecret, sharedSecret: Uint8Array, helloHash: Uint8Array): Step<HandshakeSecret> {
    return inlineGen(() => HandshakeSecret.deriveSteps(early, sharedSecret, helloHash))
  }

  private static *deriveSteps(early: EarlySecret, sharedSecret: Uint8Array, helloHash: Uint8Array) {
    const { hash } = early
    const secret = yield* nextStage(hash, early.secret, sharedSecret)
    const client = yield* deriveSecret(hash, secret, "c hs traffic", helloHash)
    const server = yield* deriveSecret(hash, secret, "s hs traffic", helloHash)
    return new HandshakeSecret(hash, secret, client, server)
  }

  /**
   * The Master Secret and the application traffic secrets over `handshakeHash`,
   * Transcript-Hash(ClientHello..server Finished).
   */
  master(handshakeHash: Uint8Array): Step<MasterSecret> {
    return MasterSecret.derive(this, handshakeHash)
  }
}

/**
 * Stage 3: the Master Secret, the application traffic secrets 0 and the exporter master
 * secret.
 *
 * @since 0.1.0
 */
export class MasterSecret {
  private constructor(
    readonly hash: HashAlgorithm,
    /** The Master Secret itself. */
    readonly secret: Uint8Array,
    /** client_application_traffic_secret_0. */
    readonly clientApplicationTrafficSecret: Uint8Array,
    /** server_application_traffic_secret_0. */
    readonly serverApplicationTrafficSecret: Uint8Array,
    /** exporter_master_secret. */
    readonly exporterMasterSecret: Uint8Array,
  ) {}

  /** Made by `HandshakeSecret.master`. */
  static derive(handshake: HandshakeSecret, handshakeHash: Uint8Array): Step<MasterSecret> {
    return inlineGen(() => MasterSecret.deriveSteps(handshake, handshakeHash))
  }

  private static *deriveSteps(handshake: HandshakeSecret, handshakeHash: Uint8Array) {
    const { hash } = handshake
    const secret = yield* nextStage(hash, handshake.secret, zeros(hash))
    const client = yield* deriveSecret(hash, secret, "c ap traffic", handshakeHash)
    const server = yield* deriveSecret(hash, secret, "s ap traffic", handshakeHash)
    const exporter = yield* deriveSecret(hash, secret, "exp master", handshakeHash)
    return new MasterSecret(hash, secret, client, server, exporter)
  }

  /** Keying material exporter (7.5) over this handshake's exporter_master_secret; see `exportKeyingMaterial`. */
  exporter(label: string, context: Uint8Array, length: number): Step<Uint8Array> {
    return exportKeyingMaterial(this.hash, this.exporterMasterSecret, label, context, length)
  }

  /** The resumption master secret over `resumptionHash`, Transcript-Hash(ClientHello..client Finished). */
  resumption(resumptionHash: Uint8Array): Step<ResumptionMasterSecret> {
    return ResumptionMasterSecret.derive(this, resumptionHash)
  }
}

/**
 * Stage 4: the resumption master secret, from which each NewSessionTicket's PSK is made.
 *
 * @since 0.1.0
 */
export class ResumptionMasterSecret {
  private constructor(
    readonly hash: HashAlgorithm,
    /** resumption_master_secret. */
    readonly secret: Uint8Array,
  ) {}

  /** Made by `MasterSecret.resumption`. */
  static derive(master: MasterSecret, resumptionHash: Uint8Array): Step<ResumptionMasterSecret> {
    return inlineGen(() => ResumptionMasterSecret.deriveSteps(master, resumptionHash))
  }

  private static *deriveSteps(master: MasterSecret, resumptionHash: Uint8Array) {
    const { hash } = master
    return new ResumptionMasterSecret(hash, yield* deriveSecret(hash, master.secret, "res master", resumptionHash))
  }

  /** The PSK of a ticket (4.6.1): HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
  resumptionPsk(ticketNonce: Uint8Array): Step<Uint8Array> {
    return expandLabel(this.hash, this.secret, "resumption", ticketNonce, hashLength(this.hash))
  }
}

/**
 * TLS-Exporter(label, context, length) = HKDF-Expand-Label(Derive-Secret(exporterMasterSecret,
 * label, ""), "exporter", Hash(context), length) (7.5). TLS 1.3 does not tell "no context"
 * from an empty one: pass an empty `context` for both. A label or length that does not fit
 * the HkdfLabel structure fails with `InvalidLength`.
 *
 * @since 0.1.0
 */
export const exportKeyingMaterial = (
  hash: HashAlgorithm,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Step<Uint8Array> => inlineGen(() => exportSteps(hash, exporterMasterSecret, label, context, length))

/** The steps of `exportKeyingMaterial`. */
function* exportSteps(
  hash: HashAlgorithm,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
) {
  const crypto = yield* TlsCrypto
  const secret = yield* deriveSecretFromEmpty(hash, exporterMasterSecret, label)
  const out = yield* expandLabel(hash, secret, "exporter", crypto.digest(hash, context), length)
  secret.fill(0)
  return out
}

/**
 * finished_key = HKDF-Expand-Label(baseKey, "finished", "", Hash.length) (4.4.4); `baseKey`
 * is a handshake traffic secret (or a PSK binder key).
 *
 * @since 0.1.0
 */
export const finishedKey = (hash: HashAlgorithm, baseKey: Uint8Array): Step<Uint8Array> =>
  expandLabel(hash, baseKey, "finished", new Uint8Array(0), hashLength(hash))

/**
 * verify_data = HMAC(finished_key, transcriptHash) (4.4.4): the Finished message body, or a
 * PSK binder when `baseKey` is a binder key and `transcriptHash` the truncated ClientHello's.
 * Compare a peer's value in constant time.
 *
 * @since 0.1.0
 */
export const verifyData = (hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array): Step<Uint8Array> =>
  inlineGen(() => verifyDataSteps(hash, baseKey, transcriptHash))

/** The steps of `verifyData`. */
function* verifyDataSteps(hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array) {
  const crypto = yield* TlsCrypto
  const key = yield* finishedKey(hash, baseKey)
  const mac = yield* crypto.hmac(hash, key, transcriptHash)
  key.fill(0)
  return mac
}

/**
 * application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "",
 * Hash.length) (7.2), after a KeyUpdate.
 *
 * @since 0.1.0
 */
export const nextTrafficSecret = (hash: HashAlgorithm, secret: Uint8Array): Step<Uint8Array> =>
  expandLabel(hash, secret, "traffic upd", new Uint8Array(0), hashLength(hash))

/** The AEAD key and write IV of one traffic secret. @since 0.1.0 */
export interface TrafficKeys {
  readonly key: Uint8Array
  readonly iv: Uint8Array
}

/**
 * The traffic key and IV of a traffic secret (7.3): HKDF-Expand-Label(secret, "key", "",
 * key_length) and HKDF-Expand-Label(secret, "iv", "", iv_length).
 *
 * @since 0.1.0
 */
export const trafficKeys = (suite: Tls13Suite, secret: Uint8Array): Step<TrafficKeys> =>
  inlineGen(() => trafficKeysSteps(suite, secret))

/** The steps of `trafficKeys`. */
function* trafficKeysSteps(suite: Tls13Suite, secret: Uint8Array) {
  const key = yield* expandLabel(suite.hash, secret, "key", new Uint8Array(0), suite.keyLength)
  const iv = yield* expandLabel(suite.hash, secret, "iv", new Uint8Array(0), suite.ivLength)
  return { key, iv }
}
