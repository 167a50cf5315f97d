package storetest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/lib/pq"
)

// What a DBA does to the database zwatch runs in: roles with only some
// grants, read-only switches, a server without TLS.

// NewRole creates a role that can log in with a password and holds nothing
// else: no grant, no membership, no attribute. It is dropped when the test
// ends, with whatever was granted to it.
func (db *DB) NewRole() (role, password string) {
	db.t.Helper()
	role = "zwatch_role_" + randomSuffix()
	return role, db.NewRoleNamed(role)
}

// NewRoleNamed is NewRole with the role's name given, whatever characters
// it holds; its password.
func (db *DB) NewRoleNamed(role string) (password string) {
	db.t.Helper()
	password = "pw-" + randomSuffix()
	db.Exec(`CREATE ROLE ` + pq.QuoteIdentifier(role) + ` LOGIN PASSWORD ` + pq.QuoteLiteral(password))
	db.t.Cleanup(func() {
		// DROP OWNED revokes the role's grants here and on the database;
		// then nothing depends on it any more.
		for _, q := range []string{`DROP OWNED BY ` + pq.QuoteIdentifier(role), `DROP ROLE ` + pq.QuoteIdentifier(role)} {
			if _, err := db.SQL.Exec(q); err != nil {
				db.t.Errorf("storetest: %s: %v", q, err)
			}
		}
	})
	return password
}

// Name is the test database's name.
func (db *DB) Name() string { return db.name }

// URLAs is the test database's URL with another user and password.
func (db *DB) URLAs(user, password string) string {
	db.t.Helper()
	u, err := url.Parse(db.URL)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// URLOfDatabase is the test database's URL naming another database.
func (db *DB) URLOfDatabase(name string) string {
	db.t.Helper()
	return withDatabase(db.t, name)
}

// RevokePublicDefaults takes back what PostgreSQL gives every role (PUBLIC)
// on this database and its public schema, as a locked-down shop does: only
// what is granted by name is left.
func (db *DB) RevokePublicDefaults() {
	db.t.Helper()
	db.Exec(`REVOKE ALL ON DATABASE ` + pq.QuoteIdentifier(db.name) + ` FROM PUBLIC`)
	db.Exec(`REVOKE ALL ON SCHEMA public FROM PUBLIC`)
}

// SetRoleReadOnly is the DBA's read-only switch for one role: its new
// sessions start with default_transaction_read_only on.
func (db *DB) SetRoleReadOnly(role string) {
	db.t.Helper()
	db.Exec(`ALTER ROLE ` + pq.QuoteIdentifier(role) + ` SET default_transaction_read_only = on`)
}

// SetDatabaseReadOnly is the same switch for the whole database.
func (db *DB) SetDatabaseReadOnly() {
	db.t.Helper()
	db.Exec(`ALTER DATABASE ` + pq.QuoteIdentifier(db.name) + ` SET default_transaction_read_only = on`)
}

// WithoutTLS returns the URL of a relay to the test's PostgreSQL that
// answers a client's request for TLS as a server without TLS does (with an
// 'N'), and passes the plain connection that follows through, unchanged.
// The test cluster may have TLS on; through the relay it has not. The URL
// has the database's user and password and no sslmode.
func (db *DB) WithoutTLS() string {
	db.t.Helper()
	return db.relay(nil)
}

// ThroughStalePooler returns dbURL as reached through a relay that, like
// PgBouncer, tells every client the session parameters of the server
// connection it first made, not those of the session the client gets: it
// reports default_transaction_read_only and in_hot_standby off, whatever a
// DBA switched on since. (PgBouncer replays the welcome it cached until it
// restarts.) The URL keeps dbURL's user and password.
func (db *DB) ThroughStalePooler(dbURL string) string {
	db.t.Helper()
	u, err := url.Parse(db.relay(staleParameters))
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	through, err := url.Parse(dbURL)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	u.User = through.User
	return u.String()
}

// staleParameters is a ParameterStatus message's body ("name\x00value\x00")
// as a pooler that cached it reports it: writable, and no standby.
func staleParameters(body []byte) []byte {
	name, _, ok := bytes.Cut(body, []byte{0})
	if !ok || (string(name) != "default_transaction_read_only" && string(name) != "in_hot_standby") {
		return body
	}
	return append(append(name, 0), "off\x00"...)
}

// relay listens for clients of the test's PostgreSQL and relays them to it,
// answering requests for TLS with an 'N'. With rewrite, each ParameterStatus
// the server sends passes through it.
func (db *DB) relay(rewrite func(body []byte) []byte) string {
	db.t.Helper()
	cfg, err := pq.NewConfig(db.URL)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	port := strconv.Itoa(int(cfg.Port))
	if cfg.Port == 0 {
		port = "5432"
	}
	network, address := "tcp", net.JoinHostPort(cfg.Host, port)
	if filepath.IsAbs(cfg.Host) {
		network, address = "unix", filepath.Join(cfg.Host, ".s.PGSQL."+port)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	track := func(c net.Conn) {
		mu.Lock()
		defer mu.Unlock()
		conns = append(conns, c)
	}
	db.t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			track(client)
			go relayWithoutTLS(client, network, address, track, rewrite)
		}
	}()
	u := url.URL{Scheme: "postgres", Host: ln.Addr().String(), Path: "/" + db.name}
	u.User = url.UserPassword(cfg.User, cfg.Password)
	return u.String()
}

// The startup packets a client may send first that ask for encryption:
// SSLRequest and GSSENCRequest (PostgreSQL protocol, "Message Formats").
const (
	sslRequestCode    = 80877103
	gssencRequestCode = 80877104
)

func relayWithoutTLS(client net.Conn, network, address string, track func(net.Conn), rewrite func([]byte) []byte) {
	defer client.Close()
	for {
		var head [8]byte
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return
		}
		length := binary.BigEndian.Uint32(head[:4])
		code := binary.BigEndian.Uint32(head[4:])
		if length == 8 && (code == sslRequestCode || code == gssencRequestCode) {
			if _, err := client.Write([]byte{'N'}); err != nil {
				return
			}
			continue // the client goes on in plain text, or gives up
		}
		server, err := net.Dial(network, address)
		if err != nil {
			return
		}
		track(server)
		defer server.Close()
		if _, err := server.Write(head[:]); err != nil {
			return
		}
		go func() {
			if rewrite == nil {
				_, _ = io.Copy(client, server)
			} else {
				copyRewritingParameters(client, server, rewrite)
			}
			client.Close()
		}()
		_, _ = io.Copy(server, client)
		return
	}
}

// copyRewritingParameters relays the server's messages (a type byte, a
// length that counts itself, a body), passing each ParameterStatus ('S')
// body through rewrite.
func copyRewritingParameters(client io.Writer, server io.Reader, rewrite func([]byte) []byte) {
	r := bufio.NewReader(server)
	for {
		var head [5]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		body := make([]byte, binary.BigEndian.Uint32(head[1:])-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if head[0] == 'S' {
			body = rewrite(body)
			binary.BigEndian.PutUint32(head[1:], uint32(len(body)+4))
		}
		if _, err := client.Write(append(head[:], body...)); err != nil {
			return
		}
	}
}
