/**
 * Loads the Wycheproof vector files in `test/fixtures/wycheproof/` and types the parts of
 * their JSON shapes (the upstream `schemas/*.json`) that the conformance suite reads.
 */
import { readFileSync } from "node:fs"

/** Wycheproof's verdict on a test case; `acceptable` leaves the outcome to the implementation. */
export type WycheproofResult = "valid" | "invalid" | "acceptable"

/** The fields every test case has. */
export interface TestCase {
  readonly tcId: number
  readonly comment: string
  /** Keys into the file's `notes`. */
  readonly flags: ReadonlyArray<string>
  readonly result: WycheproofResult
}

/** A group of test cases sharing parameters `P`. */
export type TestGroup<P, C extends TestCase> = P & { readonly type: string; readonly tests: ReadonlyArray<C> }

/** A whole vector file. */
export interface VectorFile<G> {
  readonly algorithm: string
  readonly schema: string
  readonly numberOfTests: number
  readonly testGroups: ReadonlyArray<G>
}

/** `aead_test_schema_v1.json`: sizes in bits. */
export type AeadGroup = TestGroup<
  { readonly ivSize: number; readonly keySize: number; readonly tagSize: number },
  TestCase & {
    readonly key: string
    readonly iv: string
    readonly aad: string
    readonly msg: string
    readonly ct: string
    readonly tag: string
  }
>

/** `xdh_comp_schema_v1.json`: raw little-endian u-coordinates. */
export type XdhGroup = TestGroup<
  { readonly curve: string },
  TestCase & { readonly public: string; readonly private: string; readonly shared: string }
>

/** `ecdh_ecpoint_test_schema_v1.json`: the peer share as a raw SEC1 point, the private key big-endian. */
export type EcdhEcpointGroup = TestGroup<
  { readonly curve: string; readonly encoding: string },
  TestCase & { readonly public: string; readonly private: string; readonly shared: string }
>

/** The test cases of every signature verification schema. */
export type SignatureCase = TestCase & { readonly msg: string; readonly sig: string }

/** `ecdsa_verify_schema_v1.json` (DER signatures). */
export type EcdsaGroup = TestGroup<
  { readonly publicKeyDer: string; readonly sha: string; readonly publicKey: { readonly curve: string } },
  SignatureCase
>

/** `eddsa_verify_schema_v1.json`. */
export type EddsaGroup = TestGroup<{ readonly publicKeyDer: string }, SignatureCase>

/** `rsassa_pkcs1_verify_schema_v1.json`. */
export type RsaPkcs1Group = TestGroup<
  { readonly publicKeyDer: string; readonly sha: string; readonly keySize: number },
  SignatureCase
>

/** `rsassa_pss_verify_schema_v1.json`: `sLen` in bytes. */
export type RsaPssGroup = TestGroup<
  {
    readonly publicKeyDer: string
    readonly sha: string
    readonly keySize: number
    readonly mgf: string
    readonly mgfSha: string
    readonly sLen: number
  },
  SignatureCase
>

/** `hkdf_test_schema_v1.json`: `size` in bytes. */
export type HkdfGroup = TestGroup<
  { readonly keySize: number },
  TestCase & {
    readonly ikm: string
    readonly salt: string
    readonly info: string
    readonly size: number
    readonly okm: string
  }
>

/** `mac_test_schema_v1.json`: `tagSize` in bits (the tag may be truncated). */
export type MacGroup = TestGroup<
  { readonly keySize: number; readonly tagSize: number },
  TestCase & { readonly key: string; readonly msg: string; readonly tag: string }
>

/** Each schema the suite reads, with the group type it describes. */
interface Schemas {
  readonly "aead_test_schema_v1.json": AeadGroup
  readonly "xdh_comp_schema_v1.json": XdhGroup
  readonly "ecdh_ecpoint_test_schema_v1.json": EcdhEcpointGroup
  readonly "ecdsa_verify_schema_v1.json": EcdsaGroup
  readonly "eddsa_verify_schema_v1.json": EddsaGroup
  readonly "rsassa_pkcs1_verify_schema_v1.json": RsaPkcs1Group
  readonly "rsassa_pss_verify_schema_v1.json": RsaPssGroup
  readonly "hkdf_test_schema_v1.json": HkdfGroup
  readonly "mac_test_schema_v1.json": MacGroup
}

/** The vector files in the fixtures directory (`<name>_test.json`) and their schemas. */
export const vectorFiles = {
  aes_gcm: "aead_test_schema_v1.json",
  chacha20_poly1305: "aead_test_schema_v1.json",
  x25519: "xdh_comp_schema_v1.json",
  ecdh_secp256r1_ecpoint: "ecdh_ecpoint_test_schema_v1.json",
  ecdh_secp384r1_ecpoint: "ecdh_ecpoint_test_schema_v1.json",
  ecdsa_secp256r1_sha256: "ecdsa_verify_schema_v1.json",
  ecdsa_secp384r1_sha384: "ecdsa_verify_schema_v1.json",
  ed25519: "eddsa_verify_schema_v1.json",
  rsa_pss_2048_sha256_mgf1_32: "rsassa_pss_verify_schema_v1.json",
  rsa_pss_3072_sha256_mgf1_32: "rsassa_pss_verify_schema_v1.json",
  rsa_signature_2048_sha256: "rsassa_pkcs1_verify_schema_v1.json",
  rsa_signature_3072_sha256: "rsassa_pkcs1_verify_schema_v1.json",
  hkdf_sha256: "hkdf_test_schema_v1.json",
  hkdf_sha384: "hkdf_test_schema_v1.json",
  hmac_sha256: "mac_test_schema_v1.json",
  hmac_sha384: "mac_test_schema_v1.json",
} as const satisfies Record<string, keyof Schemas>

/** The name of a vector file, without `_test.json`. */
export type VectorName = keyof typeof vectorFiles

/** The group type of a vector file. */
export type GroupOf<N extends VectorName> = Schemas[(typeof vectorFiles)[N]]

/** What the loader can check before trusting the declared shape. */
type UncheckedFile = VectorFile<{ readonly tests: ReadonlyArray<unknown> }>

const cache = new Map<VectorName, UncheckedFile>()

/**
 * Reads and parses `<name>_test.json`, checking that it declares the expected schema and
 * that its groups hold `numberOfTests` cases (so a truncated copy cannot pass quietly).
 */
export const loadVectors = <N extends VectorName>(name: N): VectorFile<GroupOf<N>> => {
  let file = cache.get(name)
  if (file === undefined) {
    const url = new URL(`../fixtures/wycheproof/${name}_test.json`, import.meta.url)
    file = JSON.parse(readFileSync(url, "utf8")) as UncheckedFile
    if (file.schema !== vectorFiles[name]) {
      throw new Error(`${name}: schema ${file.schema}, expected ${vectorFiles[name]}`)
    }
    const counted = file.testGroups.reduce((sum, group) => sum + group.tests.length, 0)
    if (counted !== file.numberOfTests) {
      throw new Error(`${name}: ${counted} cases, header says ${file.numberOfTests}`)
    }
    cache.set(name, file)
  }
  return file as unknown as VectorFile<GroupOf<N>>
}
