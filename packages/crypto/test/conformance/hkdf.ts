/**
 * The HKDF runner: `hkdfExtract(salt, ikm)` then `hkdfExpand(prk, info, size)` gives `okm`;
 * a size above 255 hash lengths (RFC 5869 section 2.3) fails with `InvalidLength`.
 */
import type { HashAlgorithm } from "@effect-tls/crypto"
import { Effect } from "effect"
import { fromHex } from "./hex.js"
import { accept, reject } from "./outcome.js"
import { checkWith, type Plan, planCase, rule } from "./plan.js"
import { loadVectors } from "./vectors.js"

/** The HKDF vector files and their hashes. */
export const hkdfFiles = { hkdf_sha256: "SHA-256", hkdf_sha384: "SHA-384" } as const satisfies Record<
  string,
  HashAlgorithm
>

/** An HKDF vector file. */
export type HkdfFile = keyof typeof hkdfFiles

/** Plans every case of an HKDF file. */
export const planHkdf = (file: HkdfFile): Plan => {
  const algorithm = hkdfFiles[file]
  const cases = loadVectors(file).testGroups.flatMap((group) =>
    group.tests.map((testCase) => {
      const salt = fromHex(testCase.salt)
      const ikm = fromHex(testCase.ikm)
      const info = fromHex(testCase.info)
      const ruling = rule(file, testCase, accept(fromHex(testCase.okm)), reject("InvalidLength"))
      return planCase(testCase, ruling, (verdict, label) =>
        checkWith(
          `${label} extract+expand`,
          (crypto) =>
            Effect.flatMap(crypto.hkdfExtract(algorithm, salt, ikm), (prk) =>
              crypto.hkdfExpand(algorithm, prk, info, testCase.size),
            ),
          verdict,
        ),
      )
    }),
  )
  return { file, cases, skipped: 0 }
}
