/**
 * TLS 1.3 exporter vectors from OpenSSL 3.0.19 (an implementation independent of ours).
 * Each was produced on loopback against `openssl s_server -tls1_3 -ciphersuites <suite>`:
 * the exporter_master_secret is the client's EXPORTER_SECRET key-log line, the output is
 * what `openssl s_client -keymatexport <label> -keymatexportlen <n>` printed (no context,
 * which TLS 1.3 treats as an empty one), or what a node:tls client's
 * `exportKeyingMaterial(n, label, context)` returned (Node 20.20, OpenSSL 3.0.19 inside).
 */
import type { HashAlgorithm } from "@effect-tls/crypto"

export interface ExporterVector {
  readonly suite: string
  readonly hash: HashAlgorithm
  readonly exporterMasterSecret: string
  readonly label: string
  readonly context: string
  readonly output: string
}

export const exporterVectors: ReadonlyArray<ExporterVector> = [
  {
    suite: "TLS_AES_256_GCM_SHA384 (s_client)",
    hash: "SHA-384",
    exporterMasterSecret:
      "f2ad5b606298c0867ee8a2a80c21ee8b02b97c871de15794079637ea523c140d626628f64e0026bf546052361dfc74f6",
    label: "EXPERIMENTAL effect-tls",
    context: "",
    output: "d6039e7096735977ded2984e6d4fcc3dc0d5515672f986956db94d33315b6d1cb9de6bddf935697a",
  },
  {
    suite: "TLS_CHACHA20_POLY1305_SHA256 (s_client)",
    hash: "SHA-256",
    exporterMasterSecret: "71c5ce141ab8c7236b340fd3252d23e706b422001487f434e4d7009d649e1789",
    label: "EXPORTER-effect-tls-test",
    context: "",
    output: "6756628e31e50662806d89fe4e332a65a24b58b34dfa434e03d226b90f391b97",
  },
  {
    suite: "TLS_AES_128_GCM_SHA256 (node:tls, context)",
    hash: "SHA-256",
    exporterMasterSecret: "47a6b9e6636b419b9d33e4307a0a7acc71d7108030d0fc8ca2abb6216d3674a6",
    label: "EXPORTER-effect-tls-context",
    context: "736f6d6520636f6e74657874",
    output: "1b38c5f757677de3b12862a60a03953804df398ab454464d8a4d45d7f36e49b7423f7f59eafca92150e56e5b34ac7d64",
  },
  {
    suite: "TLS_AES_128_GCM_SHA256 (node:tls, empty context)",
    hash: "SHA-256",
    exporterMasterSecret: "47a6b9e6636b419b9d33e4307a0a7acc71d7108030d0fc8ca2abb6216d3674a6",
    label: "EXPORTER-effect-tls-context",
    context: "",
    output: "56932708055a824e0e370279d99956a40fb19cc2ef523b35043d14398b575eb8e2bd264d78fd7754b085dbf8abd61d81",
  },
]
