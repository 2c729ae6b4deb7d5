/**
 * Runs the client state machine on fuzz input: a saved state is cloned (`cloneState`) and
 * stepped synchronously with each chunk of received bytes, under the deterministic
 * testing crypto (node:crypto arithmetic) and a verifier that accepts any chain quietly.
 * The outcome is a `Fatal` (a typed failure, which the oracles judge) or the outputs, each
 * described as a string so runs compare byte for byte. A defect (a die, a throw, an effect
 * that does not finish synchronously), in a step or in making the alert a failure sends,
 * is a fuzz failure at once.
 */
import type { TlsCrypto } from "@effect-tls/crypto"
import { TestingCrypto } from "@effect-tls/crypto/testing"
import { Cause, type Context, Effect, Exit, Layer } from "effect"
import { Fatal } from "../../src/errors.js"
import { alertFor, cloneState, step } from "../../src/handshake/client.js"
import { type ClientState, Input, type Output, type Phase } from "../../src/handshake/state.js"
import { CertificateVerifier } from "../../src/handshake/verifier.js"
import { ContentType } from "../../src/wire/codes.js"
import { FuzzFailure } from "../target.js"

/** What the client runs with. */
export type Services = Context.Context<TlsCrypto | CertificateVerifier>

/** Accepts any chain without the warning `InsecureAcceptAnyCertificate` logs on each handshake. */
const quietVerifier = Layer.succeed(CertificateVerifier, { verify: () => Effect.succeed({ verified: false }) })

/** Builds the services once (per worker). */
export const makeServices = (): Services =>
  Effect.runSync(Effect.scoped(Layer.build(Layer.merge(TestingCrypto.layer({ provider: "node" }), quietVerifier))))

/** How a run ended. */
export type Outcome =
  | { readonly _tag: "Fatal"; readonly fatal: Fatal }
  | { readonly _tag: "Ok"; readonly outputs: ReadonlyArray<string>; readonly phase: Phase["_tag"] }

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")

/** An output as a string that compares its bytes. */
const describeOutput = (output: Output): string => {
  switch (output._tag) {
    case "Send":
      return `Send ${hex(output.bytes)}`
    case "ApplicationData":
      return `ApplicationData ${hex(output.data)}`
    case "PeerClosed":
      return "PeerClosed"
    case "KeyLog":
      return `KeyLog ${output.label} ${hex(output.secret)}`
    case "SessionTicket": {
      const { ticket } = output
      return `SessionTicket ${ticket.ticketLifetime} ${ticket.ticketAgeAdd} ${hex(ticket.ticketNonce)} ${hex(ticket.ticket)} ${hex(output.psk)} ${output.suite}`
    }
    case "Established": {
      const { peerCertificates, ...session } = output.session
      return `Established ${JSON.stringify(session)} ${peerCertificates.map(hex).join(",")}`
    }
  }
}

/** One step's result: the next state and its outputs, or the typed failure. */
type Stepped = readonly [ClientState, ReadonlyArray<Output>] | Fatal

/** One step, synchronously; a defect (or an effect that cannot finish synchronously) becomes a `FuzzFailure`. */
const stepSync = (services: Services, state: ClientState, bytes: Uint8Array): Stepped => {
  const exit = Effect.runSyncExit(Effect.provide(step(state, Input.Received({ bytes })), services))
  if (Exit.isSuccess(exit)) return exit.value
  if (exit.cause._tag === "Fail") return exit.cause.error
  throw new FuzzFailure(`defect in step: ${Cause.pretty(exit.cause)}`)
}

/**
 * What the engine does after a failure: `alertFor` makes the alert record to send, with
 * the keys of the moment. It must not die, and what it makes must be one whole record: a
 * plaintext alert (2 bytes) or a protected record.
 */
const checkAlertRecord = (state: ClientState, fatal: Fatal): void => {
  const exit = Effect.runSyncExit(alertFor(state, fatal))
  if (Exit.isFailure(exit)) throw new FuzzFailure(`defect in alertFor: ${Cause.pretty(exit.cause)}`)
  const record = exit.value
  if (record === undefined) return
  const length = (record[3]! << 8) | record[4]!
  const plaintext = record[0] === ContentType.alert && length === 2
  const protectedRecord = record[0] === ContentType.application_data && length >= 2 + 1 + 16
  if (record.length !== 5 + length || !(plaintext || protectedRecord)) {
    throw new FuzzFailure(`alertFor made a malformed record ${Buffer.from(record).toString("hex")}`)
  }
}

/** A clone of `saved` stepped with each chunk in turn (empty chunks skipped), until the end or a `Fatal`. */
export const drive = (services: Services, saved: ClientState, chunks: ReadonlyArray<Uint8Array>): Outcome => {
  let state = cloneState(saved)
  const outputs: Array<string> = []
  for (const chunk of chunks) {
    if (chunk.length === 0) continue
    const stepped = stepSync(services, state, chunk)
    if (stepped instanceof Fatal) {
      checkAlertRecord(state, stepped)
      return { _tag: "Fatal", fatal: stepped }
    }
    state = stepped[0]
    for (const output of stepped[1]) outputs.push(describeOutput(output))
  }
  return { _tag: "Ok", outputs, phase: state.phase._tag }
}

/** The outcome in a few words, for failure messages. */
export const describeOutcome = (outcome: Outcome): string =>
  outcome._tag === "Fatal"
    ? `Fatal(${outcome.fatal.message})`
    : `Ok(${outcome.phase}, outputs: ${outcome.outputs.map((o) => o.split(" ")[0]).join(", ") || "none"})`
