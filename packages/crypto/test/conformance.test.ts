/**
 * The Wycheproof conformance suite, run on every `TlsCrypto` layer: valid cases succeed
 * with the expected bytes, invalid cases fail with the documented typed error (never a
 * defect or a throw), and acceptable cases follow the decision table in
 * `conformance/decisions.ts`. Prints a one-line count per layer at the end.
 */

import { afterAll, describe, expect, it } from "@effect/vitest"
import { type KeyShare, TlsCrypto, type TlsCryptoService } from "@effect-tls/crypto"
import { Effect, Layer } from "effect"
import { planAead } from "./conformance/aead.js"
import { planHkdf } from "./conformance/hkdf.js"
import { planKeyAgreement } from "./conformance/keyAgreement.js"
import { accept, reject } from "./conformance/outcome.js"
import { execute, type Plan, rule } from "./conformance/plan.js"
import { providers } from "./conformance/providers.js"
import { planSignature } from "./conformance/signature.js"
import { suites } from "./conformance/suites.js"
import { Tally } from "./conformance/tally.js"
import { loadVectors } from "./conformance/vectors.js"

const tally = new Tally()

describe.each(providers)("wycheproof on %s", (name, provider) => {
  afterAll(() => {
    console.log(tally.summary(name))
  })

  for (const suite of suites) {
    it.effect(
      suite.file,
      () =>
        Effect.gen(function* () {
          const report = yield* execute(suite.plan(provider))
          tally.record(name, report)
          expect(report.findings).toEqual([])
          expect(report.skipped).toBe(suite.skipped)
          const run = report.run.valid + report.run.invalid + report.run.acceptable
          expect(run + report.skipped).toBe(loadVectors(suite.file).numberOfTests)
          expect(report.run.valid).toBeGreaterThan(0)
        }).pipe(Effect.provide(provider.layer)),
      120_000,
    )
  }
})

/** A layer whose service is `layer`'s with some operations replaced. */
const tampered = (
  layer: Layer.Layer<TlsCrypto>,
  change: (service: TlsCryptoService) => TlsCryptoService,
): Layer.Layer<TlsCrypto> => Layer.effect(TlsCrypto, Effect.map(TlsCrypto, change)).pipe(Layer.provide(layer))

const zeroOnFailure = (share: KeyShare): KeyShare => ({
  ...share,
  agree: (peer) => Effect.orElseSucceed(share.agree(peer), () => new Uint8Array(32)),
})

describe("the harness finds broken layers", () => {
  const [, noble] = providers.find(([name]) => name === "noble")!
  const findingsOf = (plan: Plan, layer: Layer.Layer<TlsCrypto>) =>
    Effect.map(Effect.provide(execute(plan), layer), (report) => report.findings)

  it.effect("a verify that accepts everything fails every invalid case", () =>
    Effect.gen(function* () {
      const findings = yield* findingsOf(
        planSignature("ed25519"),
        tampered(noble.layer, (service) => ({ ...service, verify: () => Effect.void })),
      )
      expect(findings).toHaveLength(63)
      expect(findings.every((finding) => finding.includes("expected failure BadSignature, got success"))).toBe(true)
    }),
  )

  it.effect("a verify that throws is a defect, not a rejection", () =>
    Effect.gen(function* () {
      const findings = yield* findingsOf(
        planSignature("ed25519"),
        tampered(noble.layer, (service) => ({
          ...service,
          verify: () => {
            throw new Error("boom")
          },
        })),
      )
      expect(findings).toHaveLength(151)
      expect(findings.every((finding) => finding.includes("DEFECT"))).toBe(true)
    }),
  )

  it.effect("a synchronous open that throws is found on every case", () =>
    Effect.gen(function* () {
      const findings = yield* findingsOf(
        planAead("chacha20_poly1305"),
        tampered(noble.layer, (service) => ({
          ...service,
          aeadKey: (algorithm, key) =>
            Effect.map(service.aeadKey(algorithm, key), (aeadKey) => ({
              ...aeadKey,
              sync: {
                seal: (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) =>
                  aeadKey.sync!.seal(nonce, aad, plaintext),
                open: () => {
                  throw new Error("boom")
                },
              },
            })),
        })),
      )
      expect(findings).toHaveLength(325)
      expect(findings.every((finding) => finding.includes("sync.open: expected") && finding.includes("DEFECT"))).toBe(
        true,
      )
    }),
  )

  it.effect("an x25519 share that lets an all-zero secret through breaks the documented decision", () =>
    Effect.gen(function* () {
      const findings = yield* findingsOf(
        planKeyAgreement("x25519", (group, privateKey) =>
          tampered(noble.scripted(group, privateKey), (service) => ({
            ...service,
            generateKeyShare: (g) => Effect.map(service.generateKeyShare(g), zeroOnFailure),
          })),
        ),
        noble.layer,
      )
      expect(findings).toHaveLength(31)
      expect(findings.every((finding) => finding.includes("[rejected: all-zero shared secret"))).toBe(true)
    }),
  )

  it.effect("an HKDF that dies on long outputs is a defect", () =>
    Effect.gen(function* () {
      const findings = yield* findingsOf(
        planHkdf("hkdf_sha256"),
        tampered(noble.layer, (service) => ({
          ...service,
          hkdfExpand: (algorithm, prk, info, length) =>
            length > 255 * 32 ? Effect.die("too long") : service.hkdfExpand(algorithm, prk, info, length),
        })),
      )
      expect(findings).toHaveLength(3)
      expect(findings.every((finding) => finding.includes("DEFECT"))).toBe(true)
    }),
  )

  it("an acceptable case with an unknown flag is undecided", () => {
    const testCase = { tcId: 1, comment: "", flags: ["SomethingNew"], result: "acceptable" } as const
    expect(rule("x25519", testCase, accept(), reject("InvalidPeerShare"), "x25519")._tag).toBe("Undecided")
    expect(rule("x25519", { ...testCase, flags: ["Twist"] }, accept(), reject("InvalidPeerShare"), "x25519")).toEqual({
      _tag: "Ruled",
      verdict: accept(),
      label: "x25519 #1 (acceptable) [accepted: X25519 has a defined result here (RFC 7748 section 5)]",
    })
  })
})
