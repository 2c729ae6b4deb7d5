/**
 * Fuzz target `der`: the DER reader and the key parsers built on it (`parseSpki`,
 * `parsePkcs8`, `parseEcdsaSignature` for P-256 and P-384, and a generic walk that reads
 * every element with the typed readers), over real keys and signatures made by
 * node:crypto (Ed25519, P-256, P-384, RSA, RSA-PSS), random DER trees (odd tags, long,
 * non-minimal and indefinite lengths) and nestings around the depth limit, all mutated,
 * and random bytes. Oracle:
 * nothing throws; failures are the documented tagged errors; the input is left unchanged;
 * an ECDSA signature that parses survives a round trip through `ecdsaSignatureToDer`.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { concatBytes } from "@effect-tls/crypto"
import { type DerReader, DerTag, decodeDer, derSequence, MAX_DER_DEPTH } from "@effect-tls/crypto/der"
import { ecdsaSignatureToDer, parseEcdsaSignature, parsePkcs8, parseSpki } from "@effect-tls/crypto/keys"
import { Either } from "effect"
import * as fc from "fast-check"
import { identity } from "../../test/server/identity.js"
import { decoderInput, hexOf, sameBytes } from "../mutate.js"
import { assert, defineTarget, property } from "../target.js"

const der = (key: KeyObject, type: "spki" | "pkcs8"): Uint8Array => new Uint8Array(key.export({ format: "der", type }))

/** Real SPKIs, PKCS#8 keys and ECDSA signatures, made once per process. */
const makeSeeds = (): { keys: ReadonlyArray<Uint8Array>; signatures: ReadonlyArray<Uint8Array> } => {
  const pairs = [
    generateKeyPairSync("ed25519"),
    generateKeyPairSync("ec", { namedCurve: "prime256v1" }),
    generateKeyPairSync("ec", { namedCurve: "secp384r1" }),
    generateKeyPairSync("rsa", { modulusLength: 1024 }),
    generateKeyPairSync("rsa", { modulusLength: 2048 }),
    // Small RSA-PSS keys are as good as seeds and much faster to make.
    generateKeyPairSync("rsa-pss", { modulusLength: 1024 }),
    generateKeyPairSync("rsa-pss", {
      modulusLength: 1024,
      hashAlgorithm: "sha384",
      mgf1HashAlgorithm: "sha384",
    }),
  ]
  const keys = pairs.flatMap(({ publicKey, privateKey }) => [der(publicKey, "spki"), der(privateKey, "pkcs8")])
  const message = new TextEncoder().encode("fuzz")
  const signatures = [1, 2].flatMap((i) =>
    Array.from({ length: 4 }, () => new Uint8Array(sign("sha256", message, pairs[i]!.privateKey))),
  )
  return { keys: [...keys, identity("ed25519").certificate, identity("p256").certificate], signatures }
}

/** A length field: mostly minimal DER, sometimes a non-minimal long form, indefinite, or absurd. */
const lengthField = (length: number): fc.Arbitrary<ReadonlyArray<number>> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constant(
        length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff],
      ),
    },
    { weight: 1, arbitrary: fc.constant([0x82, length >> 8, length & 0xff]) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        [0x80],
        [0x84, 0xff, 0xff, 0xff, 0xff],
        [0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [0x85, 0, 0, 0, 0, length],
      ),
    },
  )

const element = (tag: number, contents: Uint8Array): fc.Arbitrary<Uint8Array> =>
  lengthField(contents.length).map((length) => Uint8Array.from([tag, ...length, ...contents]))

/** A primitive element: a universal type with plausible or arbitrary contents, or any tag. */
const primitive: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(DerTag.Boolean, DerTag.Integer, DerTag.BitString, DerTag.OctetString, DerTag.Null),
      fc.constantFrom(DerTag.ObjectIdentifier, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x80, 0x81, 0x82, 0x86, 0x87),
      fc.integer({ min: 0, max: 255 }),
    ),
    fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.constantFrom(Uint8Array.of(0), Uint8Array.of(0xff), Uint8Array.of(0, 0x80), Uint8Array.of(0x2a, 0x86, 0x48)),
    ),
  )
  .chain(([tag, contents]) => element(tag, contents))

/** Random DER trees: constructed elements (sequences, sets, context tags) over primitives. */
const tree = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    primitive,
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa3, 0x23, 0x24, 0x3f), fc.array(tie("node"), { maxLength: 4 }))
      .chain(([tag, children]) => element(tag, concatBytes(...children))),
  ),
})).node

/** A primitive inside `depth` SEQUENCEs, around the reader's nesting limit. */
const nested = fc.tuple(fc.integer({ min: 0, max: MAX_DER_DEPTH + 4 }), primitive).map(([depth, inner]) => {
  let out = inner
  for (let i = 0; i < depth; i++) out = derSequence(out)
  return out
})

/** Reads every element, descending into constructed ones, with the typed reader of each universal tag. */
const walk = (reader: DerReader): void => {
  while (!reader.atEnd()) {
    const tag = reader.peekTag()!
    if ((tag & 0x20) !== 0) {
      const inner = reader.constructed(tag)
      walk(inner)
      inner.end()
      continue
    }
    switch (tag) {
      case DerTag.Boolean:
        reader.boolean()
        break
      case DerTag.Integer:
        reader.integer()
        break
      case DerTag.BitString:
        reader.bitString()
        break
      case DerTag.OctetString:
        reader.octetString()
        break
      case DerTag.Null:
        reader.null()
        break
      case DerTag.ObjectIdentifier:
        reader.oid()
        break
      default:
        reader.element()
    }
  }
}

const tagged =
  (tags: ReadonlyArray<string>, what: string) =>
  (result: Either.Either<unknown, { readonly _tag: string }>): void => {
    if (Either.isLeft(result)) assert(tags.includes(result.left._tag), () => `${what} failed with ${result.left._tag}`)
  }

const keyFailure = tagged(["MalformedKey", "UnsupportedAlgorithm"], "a key parser")

/** The der property: inputs and their check. */
export const derProperty = () => {
  const { keys, signatures } = makeSeeds()
  const seeds = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...keys, ...signatures) },
    { weight: 2, arbitrary: tree },
    { weight: 1, arbitrary: nested },
  )
  return property(decoderInput(seeds), (bytes: Uint8Array) => {
    const copy = bytes.slice()
    keyFailure(parseSpki(bytes))
    keyFailure(parsePkcs8(bytes))
    tagged(["DerError"], "the DER walk")(decodeDer(bytes, walk))
    for (const curve of ["secp256r1", "secp384r1"] as const) {
      const rs = parseEcdsaSignature(bytes, curve)
      tagged(["BadSignature"], "parseEcdsaSignature")(rs)
      if (Either.isRight(rs)) {
        const again = parseEcdsaSignature(ecdsaSignatureToDer(rs.right), curve)
        assert(
          Either.isRight(again) && sameBytes(again.right, rs.right),
          () => `${curve} signature ${hexOf(bytes)} does not survive a round trip`,
        )
      }
    }
    assert(sameBytes(bytes, copy), () => "a parser changed its input")
  })
}

/** The DER target. */
export const derTarget = defineTarget("der", "DER reader, parseSpki, parsePkcs8, parseEcdsaSignature", derProperty)
