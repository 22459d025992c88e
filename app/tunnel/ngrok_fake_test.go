package tunnel

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.ngrok.com/muxado/v2"
)

// Stream types of ngrok's tunnel protocol (internal/tunnel/proto in the
// client): the client opens auth, bind and unbind streams, the server opens
// one proxy stream per connection reaching an endpoint.
const (
	streamAuth   muxado.StreamType = 0
	streamBind   muxado.StreamType = 1
	streamUnbind muxado.StreamType = 2
	streamProxy  muxado.StreamType = 3
)

// fakeNgrok stands in for ngrok's cloud, which tests cannot reach. It
// speaks the wire format the client speaks: TLS, muxado streams with a
// type prefix, JSON Auth and Bind requests, and proxy streams that start
// with a length-prefixed JSON header. A connection to its edge listener
// is proxied into the tunnel bound last, like a visitor of the public URL.
type fakeNgrok struct {
	t     *testing.T
	ln    net.Listener // ngrok's connect address, TLS
	edge  net.Listener // the public side, plain TCP
	pool  *x509.CertPool
	token string // the authtoken it accepts

	mu       sync.Mutex
	authErr  string // when set, Auth answers with this testdata message
	bindErr  string // when set, Bind answers with this testdata message
	down     bool   // close new connections at once
	auths    []string
	binds    []fakeBind
	sess     muxado.TypedStreamSession // the session that bound last
	conn     net.Conn                  // its connection
	bindID   string
	nextBind int
}

// fakeBind is one Bind request as the fake received it.
type fakeBind struct {
	ID, URL, Token string
}

func newFakeNgrok(t *testing.T, token string) *fakeNgrok {
	t.Helper()
	cert, pool := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	edge, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeNgrok{t: t, ln: ln, edge: edge, pool: pool, token: token}
	t.Cleanup(func() {
		ln.Close()
		edge.Close()
		f.drop()
	})
	go acceptLoop(ln, f.serve)
	go acceptLoop(edge, f.proxy)
	return f
}

// options points Ngrok at the fake.
func (f *fakeNgrok) options(token string, log *slog.Logger) NgrokOptions {
	return NgrokOptions{
		Authtoken:      token,
		ConnectTimeout: 20 * time.Second,
		Logger:         log,
		ServerAddr:     f.ln.Addr().String(),
		ServerCAs:      f.pool,
	}
}

func (f *fakeNgrok) setAuthErr(name string) { f.mu.Lock(); f.authErr = name; f.mu.Unlock() }
func (f *fakeNgrok) setBindErr(name string) { f.mu.Lock(); f.bindErr = name; f.mu.Unlock() }
func (f *fakeNgrok) setDown(down bool)      { f.mu.Lock(); f.down = down; f.mu.Unlock() }

// drop cuts the current session's connection, as a network failure would.
func (f *fakeNgrok) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		f.conn.Close()
		f.conn, f.sess = nil, nil
	}
}

// authtokens returns the authtokens of every Auth request so far.
func (f *fakeNgrok) authtokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

// bindRequests returns every Bind request so far.
func (f *fakeNgrok) bindRequests() []fakeBind {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeBind(nil), f.binds...)
}

func (f *fakeNgrok) serve(conn net.Conn) {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		conn.Close()
		return
	}
	typed := muxado.NewTypedStreamSession(muxado.Server(conn, &muxado.Config{}))
	// The heartbeat wrapper answers the client's heartbeat stream.
	sess := muxado.NewHeartbeat(typed, func(time.Duration, bool) {}, nil)
	for {
		st, err := sess.AcceptTypedStream()
		if err != nil {
			conn.Close()
			return
		}
		switch st.StreamType() {
		case streamAuth:
			f.auth(st)
		case streamBind:
			f.bind(st, sess, conn)
		case streamUnbind:
			json.NewEncoder(st).Encode(struct{ Error string }{})
			st.Close()
		default:
			st.Close()
		}
	}
}

func (f *fakeNgrok) auth(st muxado.Stream) {
	defer st.Close()
	var req struct {
		ClientID string `json:"ClientId"`
		Extra    struct{ Authtoken string }
	}
	if err := json.NewDecoder(st).Decode(&req); err != nil {
		return
	}
	f.mu.Lock()
	f.auths = append(f.auths, req.Extra.Authtoken)
	refusal := f.authErr
	f.mu.Unlock()
	if refusal == "" && req.Extra.Authtoken != f.token {
		refusal = "ERR_NGROK_107"
	}
	resp := map[string]any{"Version": "3", "ClientId": "fake-session", "Extra": map[string]any{"Region": "test", "AgentSessionID": "as_fake"}}
	if refusal != "" {
		msg := strings.ReplaceAll(f.message(refusal), "TOKEN", req.Extra.Authtoken)
		resp = map[string]any{"Version": "3", "Error": msg}
	}
	json.NewEncoder(st).Encode(resp)
}

func (f *fakeNgrok) bind(st muxado.Stream, sess muxado.TypedStreamSession, conn net.Conn) {
	defer st.Close()
	var req struct {
		ID    string `json:"Id"`
		Opts  struct{ URL string }
		Extra struct{ Token string }
	}
	if err := json.NewDecoder(st).Decode(&req); err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.binds = append(f.binds, fakeBind{ID: req.ID, URL: req.Opts.URL, Token: req.Extra.Token})
	if f.bindErr != "" {
		domain := strings.TrimPrefix(req.Opts.URL, "https://")
		json.NewEncoder(st).Encode(struct{ Error string }{strings.ReplaceAll(f.message(f.bindErr), "DOMAIN", domain)})
		return
	}
	id := req.ID
	if id == "" {
		f.nextBind++
		id = fmt.Sprintf("bind_%d", f.nextBind)
	}
	url := req.Opts.URL
	if url == "" {
		url = "https://f00d-203-0-113-7.ngrok-free.app"
	}
	f.sess, f.conn, f.bindID = sess, conn, id
	json.NewEncoder(st).Encode(map[string]any{
		"Id": id, "URL": url, "Proto": "https",
		"Extra": map[string]any{"Token": "bindtoken_" + id, "TunnelID": "tn_" + id},
	})
}

// proxy carries a visitor's connection into the tunnel bound last.
func (f *fakeNgrok) proxy(visitor net.Conn) {
	defer visitor.Close()
	f.mu.Lock()
	sess, id := f.sess, f.bindID
	f.mu.Unlock()
	if sess == nil {
		return
	}
	st, err := sess.OpenTypedStream(streamProxy)
	if err != nil {
		return
	}
	defer st.Close()
	hdr, _ := json.Marshal(map[string]any{"Id": id, "ClientAddr": visitor.RemoteAddr().String(), "Proto": "https", "EdgeType": "1"})
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, int64(len(hdr)))
	buf.Write(hdr)
	if _, err := st.Write(buf.Bytes()); err != nil {
		return
	}
	go io.Copy(st, visitor)
	io.Copy(visitor, st)
}

// message is the ngrok error message kept in testdata/ngrok/<code>.txt.
func (f *fakeNgrok) message(code string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "ngrok", code+".txt"))
	if err != nil {
		f.t.Errorf("fake ngrok: %v", err)
	}
	return string(b)
}

func acceptLoop(ln net.Listener, handle func(net.Conn)) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go handle(conn)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fake ngrok"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
