// A TLS echo server on Go's crypto/tls, an independent TLS 1.3 stack for the interop tests.
// Standard library only. It prints "LISTENING host:port" once it accepts connections, then
// one "HANDSHAKE ..." line per connection (or "ERROR ...") and "CLOSED bytes=N" when the
// connection ends. Every connection echoes what it reads until the peer closes.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

var versions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

var versionNames = map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}

var curves = map[string]tls.CurveID{
	"x25519": tls.X25519, "secp256r1": tls.CurveP256, "secp384r1": tls.CurveP384, "secp521r1": tls.CurveP521,
	"p256": tls.CurveP256, "p384": tls.CurveP384, "p521": tls.CurveP521,
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}

func list(value string) []string {
	if value == "" {
		return nil
	}
	return strings.Split(value, ",")
}

// suiteIDs maps IANA suite names to IDs. Go applies them to TLS 1.2 only: its TLS 1.3 suites
// cannot be configured.
func suiteIDs(names []string) []uint16 {
	byName := map[string]uint16{}
	for _, suite := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[suite.Name] = suite.ID
	}
	var ids []uint16
	for _, name := range names {
		id, ok := byName[name]
		if !ok {
			fail("unknown cipher suite %q", name)
		}
		ids = append(ids, id)
	}
	return ids
}

func curveIDs(names []string) []tls.CurveID {
	var ids []tls.CurveID
	for _, name := range names {
		id, ok := curves[strings.ToLower(name)]
		if !ok {
			fail("unknown curve %q", name)
		}
		ids = append(ids, id)
	}
	return ids
}

func version(name string) uint16 {
	v, ok := versions[name]
	if !ok {
		fail("unknown TLS version %q (use 1.2 or 1.3)", name)
	}
	return v
}

func serve(conn *tls.Conn) {
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		fmt.Printf("ERROR handshake: %v\n", err)
		return
	}
	state := conn.ConnectionState()
	fmt.Printf("HANDSHAKE version=%s suite=%s alpn=%s sni=%s resumed=%t client-certs=%d\n",
		versionNames[state.Version], tls.CipherSuiteName(state.CipherSuite), state.NegotiatedProtocol,
		state.ServerName, state.DidResume, len(state.PeerCertificates))
	n, err := io.Copy(conn, conn)
	if err != nil {
		fmt.Printf("ERROR echo: %v\n", err)
	}
	fmt.Printf("CLOSED bytes=%d\n", n)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	certFile := flag.String("cert", "", "PEM certificate chain, leaf first")
	keyFile := flag.String("key", "", "PEM private key")
	ciphers := flag.String("ciphers", "", "comma-separated IANA suite names (TLS 1.2 only; Go fixes its TLS 1.3 suites)")
	curveList := flag.String("curves", "", "comma-separated groups in preference order: x25519, secp256r1, secp384r1, secp521r1")
	alpn := flag.String("alpn", "", "comma-separated ALPN protocols")
	clientCA := flag.String("client-ca", "", "PEM CA file: require and verify a client certificate")
	keyLog := flag.String("keylog", "", "append NSS key log lines to this file")
	minVersion := flag.String("min-version", "1.3", "lowest TLS version: 1.2 or 1.3")
	maxVersion := flag.String("max-version", "1.3", "highest TLS version: 1.2 or 1.3")
	flag.Parse()

	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fail("loading certificate: %v", err)
	}
	config := &tls.Config{
		Certificates:     []tls.Certificate{pair},
		MinVersion:       version(*minVersion),
		MaxVersion:       version(*maxVersion),
		CipherSuites:     suiteIDs(list(*ciphers)),
		CurvePreferences: curveIDs(list(*curveList)),
		NextProtos:       list(*alpn),
	}
	if *clientCA != "" {
		pem, err := os.ReadFile(*clientCA)
		if err != nil {
			fail("reading client CA: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("no certificate in %s", *clientCA)
		}
		config.ClientCAs = pool
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if *keyLog != "" {
		file, err := os.OpenFile(*keyLog, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			fail("opening key log: %v", err)
		}
		config.KeyLogWriter = file
	}

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fail("listen: %v", err)
	}
	fmt.Printf("LISTENING %s\n", listener.Addr())
	for {
		conn, err := listener.Accept()
		if err != nil {
			fail("accept: %v", err)
		}
		go serve(tls.Server(conn, config))
	}
}
