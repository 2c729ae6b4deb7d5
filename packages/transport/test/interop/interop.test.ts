// The interop tests: our client against real TLS servers on 127.0.0.1 (OpenSSL s_server,
// gnutls-serv, Go crypto/tls, node:tls) and the memory-mode engine against node:tls with no
// TCP. One test file on purpose: vitest gives each file its own process, so one file loads the
// modules and makes the test PKI once instead of once per suite (about half the run time on a
// two-core machine). Each suite lives in its own module.
import { beforeAll } from "@effect/vitest"
import { getTestPki } from "../peers/certs.js"
import { memorySuite } from "./memory.js"
import { opensslHandshakeSuite } from "./opensslHandshake.js"
import { opensslStreamSuite } from "./opensslStream.js"
import { otherServersSuite } from "./otherServers.js"

// The test PKI takes a second or more to make (RSA keys): not inside a test's time limit.
beforeAll(async () => {
  await getTestPki()
}, 60_000)

opensslHandshakeSuite()
opensslStreamSuite()
otherServersSuite()
memorySuite()
