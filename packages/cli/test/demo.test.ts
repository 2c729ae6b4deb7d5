/**
 * `effect-tls demo`, run as a real child process: it exits 0 and prints what was negotiated
 * and verified against its own loopback server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { expectNoStackTrace, runCli } from "./cli.js"

describe("effect-tls demo", () => {
  it.effect(
    "exits 0 and prints the negotiated facts, the verification and the exchange",
    () =>
      Effect.gen(function* () {
        const run = yield* runCli(["demo"])
        expectNoStackTrace(run)
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.stdout).toMatch(/^\s+version\s+TLSv1\.3$/m)
        expect(run.stdout).toMatch(/^\s+cipher suite\s+TLS_[A-Z0-9_]+$/m)
        expect(run.stdout).toMatch(/^\s+key exchange\s+x25519$/m)
        expect(run.stdout).toMatch(/^\s+server signature\s+ecdsa_secp256r1_sha256$/m)
        expect(run.stdout).toMatch(/^\s+server name \(SNI\)\s+localhost$/m)
        expect(run.stdout).toMatch(/^\s+certificate\s+CN=localhost, issued by CN=effect-tls demo CA/m)
        expect(run.stdout).toContain("verification       OK")
        expect(run.stdout).toContain('received "server heard: hello from effect-tls"')
        expect(run.stdout).toContain("equals the server's")
      }),
    60_000,
  )
})
