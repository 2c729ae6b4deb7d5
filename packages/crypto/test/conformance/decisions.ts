/**
 * What every layer must do with Wycheproof's `acceptable` cases (either outcome is allowed
 * by the algorithm's specification; TLS narrows the choice). Decisions go by the case's
 * flags: a case is rejected when any of its flags says reject, accepted when all of its
 * flags say accept, and undecided (a finding) when a flag has no entry. The same table is
 * in `test/fixtures/wycheproof/README.md`.
 *
 * | family    | flag                                  | decision | why |
 * | --------- | ------------------------------------- | -------- | --- |
 * | x25519    | ZeroSharedSecret, LowOrderPublic, SmallPublicKey | reject `InvalidPeerShare` | the shared secret is all zero; RFC 8446 section 7.4.2 (and RFC 7748 section 6.1) require aborting |
 * | x25519    | Twist, NonCanonicalPublic             | accept, exact `shared` | RFC 7748 section 5: X25519 is defined on the twist and non-canonical u is taken mod p; the result must be the RFC's |
 * | x25519    | EdgeCaseShared, EdgeCaseMultiplication, SpecialPublicKey, Ktv | accept, exact `shared` | arithmetic edge cases with a defined result (these flags only ride along with the ones above) |
 * | ecdh      | CompressedPoint, CompressedPublic     | reject `InvalidPeerShare` | RFC 8446 section 4.2.8.2: NIST shares are uncompressed points only |
 * | rsa-pkcs1 | MissingNull                           | reject `BadSignature` | RFC 8017 section 8.2.2 compares against the re-encoded DigestInfo, whose SHA-2 parameters are NULL (section 9.2 note 1); OpenSSL and Go reject it too |
 */

/** The vector families that have `acceptable` cases. */
export type Family = "x25519" | "ecdh" | "rsa-pkcs1"

/** One row of the table: the decision for a flag and the reason for it. */
export interface Decision {
  readonly accept: boolean
  readonly reason: string
}

const zeroSecret: Decision = {
  accept: false,
  reason: "all-zero shared secret: RFC 8446 7.4.2 / RFC 7748 6.1",
}
const definedResult: Decision = {
  accept: true,
  reason: "X25519 has a defined result here (RFC 7748 section 5)",
}

/** The decisions, by family and flag. */
export const decisions: Readonly<Record<Family, Readonly<Record<string, Decision>>>> = {
  x25519: {
    ZeroSharedSecret: zeroSecret,
    LowOrderPublic: zeroSecret,
    SmallPublicKey: zeroSecret,
    Twist: definedResult,
    NonCanonicalPublic: definedResult,
    EdgeCaseShared: definedResult,
    EdgeCaseMultiplication: definedResult,
    SpecialPublicKey: definedResult,
    Ktv: definedResult,
  },
  ecdh: {
    CompressedPoint: { accept: false, reason: "TLS 1.3 requires uncompressed points (RFC 8446 4.2.8.2)" },
    CompressedPublic: { accept: false, reason: "TLS 1.3 requires uncompressed points (RFC 8446 4.2.8.2)" },
  },
  "rsa-pkcs1": {
    MissingNull: { accept: false, reason: "DigestInfo must be the exact encoding of RFC 8017 9.2" },
  },
}

/**
 * The decision for an `acceptable` case with `flags`: the first rejecting row if any, else
 * the first row when every flag accepts, else `undefined` (undecided).
 */
export const decide = (family: Family, flags: ReadonlyArray<string>): Decision | undefined => {
  const rows = flags.map((flag) => decisions[family][flag])
  const rejecting = rows.find((row) => row !== undefined && !row.accept)
  if (rejecting !== undefined) return rejecting
  return rows.length > 0 && rows.every((row) => row?.accept === true) ? rows[0] : undefined
}
