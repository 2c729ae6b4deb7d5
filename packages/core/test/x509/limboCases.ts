/**
 * Loads the x509-limbo suite (test/fixtures/x509/limbo.json) and runs one of its cases
 * through `verifyServerChain`, at the case's validation time on the `TestClock`.
 */
import { readFileSync } from "node:fs"
import { NobleCrypto } from "@effect-tls/crypto"
import { Effect, Either, TestClock } from "effect"
import type { Fatal } from "../../src/errors.js"
import {
  decodePem,
  parseIpAddress,
  type ServerIdentity,
  type TrustAnchor,
  trustAnchorFromCertificate,
  verifyServerChain,
} from "../../src/x509/index.js"

/** The fields of a limbo test case that the harness reads. */
export interface LimboCase {
  readonly id: string
  readonly features: ReadonlyArray<string> | null
  readonly validation_kind: "SERVER" | "CLIENT"
  readonly trusted_certs: ReadonlyArray<string>
  readonly untrusted_intermediates: ReadonlyArray<string>
  readonly peer_certificate: string
  readonly validation_time: string | null
  readonly expected_result: "SUCCESS" | "FAILURE"
  readonly expected_peer_name: { readonly kind: "DNS" | "IP" | "RFC822"; readonly value: string } | null
  readonly max_chain_depth: number | null
}

/** Every case of the suite. */
export const loadLimbo = (): ReadonlyArray<LimboCase> =>
  (
    JSON.parse(readFileSync(new URL("../fixtures/x509/limbo.json", import.meta.url), "utf8")) as {
      testcases: Array<LimboCase>
    }
  ).testcases

const pemCertificates = (text: string): Array<Uint8Array> => {
  const blocks = decodePem(text)
  if (Either.isLeft(blocks)) throw new Error(blocks.left.message)
  return blocks.right.filter((block) => block.label === "CERTIFICATE").map((block) => block.der)
}

const identityOf = (testCase: LimboCase): ServerIdentity | undefined => {
  const name = testCase.expected_peer_name
  if (name === null) return undefined
  if (name.kind === "DNS") return { _tag: "Dns", name: name.value }
  const bytes = parseIpAddress(name.value)
  if (name.kind !== "IP" || bytes === undefined) throw new Error(`unusable peer name ${JSON.stringify(name)}`)
  return { _tag: "Ip", bytes }
}

/** Generated certificates without a validation time are valid from 1970-01-01T00:00:01Z for 1000 years. */
const DEFAULT_TIME = Date.parse("2025-01-01T00:00:00Z")

/** The outcome of one case: what we decided, and the failure when we rejected. */
export interface LimboOutcome {
  readonly actual: "SUCCESS" | "FAILURE"
  readonly failure: Fatal | undefined
}

/** Runs `testCase` with the noble crypto layer. Anchors that do not parse are left out (as a trust store would). */
export const runLimboCase = (testCase: LimboCase): Effect.Effect<LimboOutcome> =>
  Effect.gen(function* () {
    const anchors: Array<TrustAnchor> = []
    for (const pem of testCase.trusted_certs) {
      for (const der of pemCertificates(pem)) {
        const anchor = trustAnchorFromCertificate(der)
        if (Either.isRight(anchor)) anchors.push(anchor.right)
      }
    }
    const chain = [
      ...pemCertificates(testCase.peer_certificate),
      ...testCase.untrusted_intermediates.flatMap(pemCertificates),
    ]
    const time = testCase.validation_time === null ? DEFAULT_TIME : Date.parse(testCase.validation_time)
    yield* TestClock.setTime(time)
    const result = yield* Effect.either(
      verifyServerChain({
        chain,
        anchors,
        serverName: identityOf(testCase),
        policy: testCase.max_chain_depth === null ? undefined : { maxDepth: testCase.max_chain_depth },
      }),
    )
    return Either.isRight(result)
      ? { actual: "SUCCESS" as const, failure: undefined }
      : { actual: "FAILURE" as const, failure: result.left }
  }).pipe(Effect.provide(NobleCrypto))
