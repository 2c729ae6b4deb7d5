/**
 * The HMAC runner: the full HMAC of `msg` under `key`, cut to the group's `tagSize`, equals
 * `tag` for valid cases and differs from it for invalid ones (modified tags: a MAC check
 * fails by comparison, the computation itself never fails).
 */
import type { HashAlgorithm } from "@effect-tls/crypto"
import { Effect } from "effect"
import { fromHex } from "./hex.js"
import { accept } from "./outcome.js"
import { checkWith, type Plan, planCase, rule } from "./plan.js"
import { loadVectors } from "./vectors.js"

/** The HMAC vector files and their hashes. */
export const hmacFiles = { hmac_sha256: "SHA-256", hmac_sha384: "SHA-384" } as const satisfies Record<
  string,
  HashAlgorithm
>

/** An HMAC vector file. */
export type HmacFile = keyof typeof hmacFiles

/** Plans every case of an HMAC file. */
export const planHmac = (file: HmacFile): Plan => {
  const algorithm = hmacFiles[file]
  const cases = loadVectors(file).testGroups.flatMap((group) =>
    group.tests.map((testCase) => {
      const key = fromHex(testCase.key)
      const msg = fromHex(testCase.msg)
      const tag = fromHex(testCase.tag)
      const ruling = rule(file, testCase, accept(tag), { _tag: "Differ", output: tag })
      return planCase(testCase, ruling, (verdict, label) =>
        checkWith(
          `${label} hmac[0..${group.tagSize / 8}]`,
          (crypto) => Effect.map(crypto.hmac(algorithm, key, msg), (mac) => mac.subarray(0, group.tagSize / 8)),
          verdict,
        ),
      )
    }),
  )
  return { file, cases, skipped: 0 }
}
