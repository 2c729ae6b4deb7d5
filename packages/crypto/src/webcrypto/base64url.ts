/**
 * base64url without padding (RFC 4648 section 5), the byte encoding of JSON Web Keys
 * (RFC 7518), over `btoa`/`atob` so that it runs wherever WebCrypto does.
 *
 * @since 0.1.0
 */

/** The base64url text of `bytes`, unpadded. @since 0.1.0 */
export const toBase64Url = (bytes: Uint8Array): string => {
  let binary = ""
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/** The bytes of base64url `text` (padding optional); throws on text that is not base64url. @since 0.1.0 */
export const fromBase64Url = (text: string): Uint8Array => {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new SyntaxError("not base64url")
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}
