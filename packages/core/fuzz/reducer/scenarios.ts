/**
 * Server flights recorded from real handshakes with the scripted TLS 1.3 server, once per
 * process, for the reducer targets. Each scenario saves the client's state at the point
 * the fuzzed flight starts, so an input costs no curve arithmetic:
 *
 * - handshake scenarios: after the ServerHello (key agreement done, handshake keys
 *   installed); the flight is the rest of the server's first flight (EncryptedExtensions
 *   to Finished, and a ChangeCipherSpec where the server sends one);
 * - `post`: after the handshake; the flight is tickets, application data, a KeyUpdate and
 *   close_notify.
 *
 * With each flight comes its baseline: the outputs and phase after each of its protected
 * records given one at a time. Handshake scenarios also keep their plaintext messages and
 * the server's handshake write key (at sequence 0), so the messages target can re-encrypt
 * changed messages, and the baseline after each message.
 */
import { concatBytes, type KeyAgreementGroup } from "@effect-tls/crypto"
import { Effect, Either } from "effect"
import { type ClientConfig, defaultConfig } from "../../src/handshake/config.js"
import type { ClientState, Phase } from "../../src/handshake/state.js"
import { protectorFor } from "../../src/record/fromTrafficSecret.js"
import type { RecordProtector } from "../../src/record/protection.js"
import { CipherSuite, ContentType, SignatureScheme } from "../../src/wire/codes.js"
import { frames } from "../../test/server/frames.js"
import { identity } from "../../test/server/identity.js"
import type { ServerOptions } from "../../test/server/options.js"
import { Pair } from "../../test/server/pair.js"
import { drive, type Services } from "./drive.js"

/** The outputs (described) and the phase after the first k inputs, for k = 0..n. */
export interface Baseline {
  readonly outputs: ReadonlyArray<ReadonlyArray<string>>
  readonly phases: ReadonlyArray<Phase["_tag"]>
}

/** The plaintext side of a handshake flight. */
export interface HandshakeMessages {
  /** EncryptedExtensions to Finished, each with its 4-byte header. */
  readonly messages: ReadonlyArray<Uint8Array>
  /** The server's handshake write side at sequence 0; its padding is `padding.next` (clone it per input). */
  readonly protector: RecordProtector
  readonly padding: { next: number }
  /** The outcome after the first k messages, each in its own record. */
  readonly baseline: Baseline
}

/** A recorded flight and the state it is fed to. */
export interface Scenario {
  readonly name: string
  /** The state the flight is fed to; only ever cloned. */
  readonly saved: ClientState
  /** The records the server sent after the saved point, as sent (a ChangeCipherSpec included). */
  readonly records: ReadonlyArray<Uint8Array>
  /** The protected records among them, in order: what the client must authenticate. */
  readonly authentic: ReadonlyArray<Uint8Array>
  /** The outcome after the first k authentic records. */
  readonly baseline: Baseline
  readonly handshake: HandshakeMessages | undefined
}

/** Steps a clone of `saved` with each input in turn, keeping the outcome after each. */
const baselineOf = (
  services: Services,
  saved: ClientState,
  inputs: ReadonlyArray<Uint8Array>,
  name: string,
): Baseline => {
  const outputs: Array<ReadonlyArray<string>> = [[]]
  const phases: Array<Phase["_tag"]> = [saved.phase._tag]
  for (let k = 1; k <= inputs.length; k++) {
    const outcome = drive(services, saved, inputs.slice(0, k))
    if (outcome._tag === "Fatal")
      throw new Error(`scenario ${name}: the recorded flight fails: ${outcome.fatal.message}`)
    outputs.push(outcome.outputs)
    phases.push(outcome.phase)
  }
  return { outputs, phases }
}

/** The handshake messages in `bytes`, by their headers. */
const splitMessages = (bytes: Uint8Array): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let at = 0; at < bytes.length; ) {
    const end = at + 4 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)
    out.push(bytes.slice(at, end))
    at = end
  }
  return out
}

const withFlight = (services: Services, name: string, saved: ClientState, flight: Uint8Array): Scenario => {
  const records = frames(flight).map((frame) => frame.bytes.slice())
  const authentic = records.filter((record) => record[0] !== ContentType.change_cipher_spec)
  return {
    name,
    saved,
    records,
    authentic,
    baseline: baselineOf(services, saved, authentic, name),
    handshake: undefined,
  }
}

/** The plaintext messages of a handshake flight, and the server's handshake write side. */
const handshakeMessages = (services: Services, scenario: Scenario): HandshakeMessages => {
  const phase = scenario.saved.phase
  const reader = scenario.saved.record.reader?.clone()
  if (phase._tag !== "ExpectEncryptedExtensions" || reader === undefined) {
    throw new Error(`scenario ${scenario.name} is not saved after the ServerHello`)
  }
  const plaintext: Array<Uint8Array> = []
  for (const record of scenario.authentic) {
    const opened = reader.openSync(record)
    if (Either.isLeft(opened) || opened.right.type !== ContentType.handshake) {
      throw new Error(`scenario ${scenario.name}: a record of the flight is not a handshake record`)
    }
    plaintext.push(opened.right.content)
  }
  const messages = splitMessages(concatBytes(...plaintext))
  const padding = { next: 0 }
  const { suite } = phase.keys.negotiated
  const protector = Effect.runSync(
    Effect.provide(
      protectorFor(suite, phase.keys.secrets.serverHandshakeTrafficSecret, { padding: () => padding.next }),
      services,
    ),
  )
  const sealer = protector.clone()
  const sealed = messages.map((message) => {
    const record = sealer.sealSync(ContentType.handshake, message)
    if (Either.isLeft(record)) throw new Error(record.left.message)
    return record.right
  })
  return {
    messages,
    protector,
    padding,
    baseline: baselineOf(services, scenario.saved, sealed, `${scenario.name} (messages)`),
  }
}

/** A handshake scenario: the client saved after the ServerHello, and the rest of the server's flight. */
const afterServerHello = (services: Services, name: string, config: ClientConfig, options: ServerOptions): Scenario => {
  const { saved, rest } = Effect.runSync(
    Effect.provide(
      Effect.gen(function* () {
        const pair = yield* Pair.start(config, options)
        let flight = yield* pair.flight()
        if (options.helloRetry !== undefined) {
          yield* pair.receive(flight)
          flight = yield* pair.flight()
        }
        const [serverHello, ...others] = frames(flight)
        yield* pair.receive(serverHello!.bytes)
        return { saved: pair.state, rest: concatBytes(...others.map((frame) => frame.bytes)) }
      }),
      services,
    ),
  )
  const scenario = withFlight(services, name, saved, rest)
  return { ...scenario, handshake: handshakeMessages(services, scenario) }
}

const text = new TextEncoder()

/** The post-handshake scenario: tickets, data, a KeyUpdate (asking ours), data, a ticket, close_notify. */
const postHandshake = (services: Services): Scenario => {
  const { saved, flight } = Effect.runSync(
    Effect.provide(
      Effect.gen(function* () {
        const pair = yield* Pair.connect(defaultConfig("scripted.test"), {})
        const server = pair.server
        const parts = [
          yield* server.ticket(),
          yield* server.send(text.encode("hello from the server")),
          yield* server.keyUpdate(true),
          yield* server.send(new Uint8Array(3000).fill(0x61)),
          yield* server.ticket(),
          yield* server.close(),
        ]
        return { saved: pair.state, flight: concatBytes(...parts) }
      }),
      services,
    ),
  )
  return withFlight(services, "post", saved, flight)
}

const config = (overrides: Partial<ClientConfig>): ClientConfig => ({ ...defaultConfig("scripted.test"), ...overrides })

const group: KeyAgreementGroup = "secp256r1"

/** Every scenario, recorded with `services` (the client's crypto). */
export const recordScenarios = (services: Services): ReadonlyArray<Scenario> => [
  afterServerHello(services, "ed25519-aes128", config({}), {}),
  afterServerHello(services, "p256-chacha-alpn-certreq-ccs", config({ alpn: ["h2", "http/1.1"] }), {
    suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    alpn: "h2",
    certificateRequest: [SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256],
    middleboxCcs: true,
    identity: identity("p256"),
  }),
  afterServerHello(services, "hrr-aes256-small-records", config({ recordSizeLimit: 200 }), {
    suite: CipherSuite.TLS_AES_256_GCM_SHA384,
    helloRetry: { group },
    recordSizeLimit: 1000,
  }),
  postHandshake(services),
]
