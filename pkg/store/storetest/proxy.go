package storetest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Proxy is a way to this test's database through a relay that can hang:
// then it keeps every connection open, new ones too, and passes nothing
// either way, as a connection pooler or a network device that stopped
// working does. The kernel keeps acknowledging what is sent, so neither
// keepalives nor TCP_USER_TIMEOUT notice it. It can also slow every round
// trip down, as a farther network does.
type Proxy struct {
	// URL reaches the database through the relay.
	URL string

	delay atomic.Int64 // a time.Duration each chunk waits before it is passed on
	// hangOn: the relay hangs instead of passing on a message from
	// zwatch that holds this text (HangOn).
	hangOn atomic.Pointer[[]byte]
	// cut: the relay passes a message on and then closes zwatch's side of
	// the connection (CutAfter).
	cut atomic.Pointer[cutAfter]

	mu    sync.Mutex
	hung  chan struct{}
	done  chan struct{}
	conns []net.Conn
	ln    net.Listener
}

// Proxy starts a relay to this test's database; it stops when the test ends.
func (db *DB) Proxy() *Proxy {
	db.t.Helper()
	cfg, err := pq.NewConfig(db.URL)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	network, address := "tcp", fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	if filepath.IsAbs(cfg.Host) {
		network, address = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.t.Fatalf("storetest: a relay: %v", err)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	u.Host = ln.Addr().String()
	q := u.Query()
	q.Del("host")
	q.Del("port")
	u.RawQuery = q.Encode()
	p := &Proxy{URL: u.String(), hung: make(chan struct{}), done: make(chan struct{}), ln: ln}
	go p.serve(network, address)
	db.t.Cleanup(p.close)
	return p
}

// Hang makes the relay pass nothing more, on any connection.
func (p *Proxy) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.hung:
	default:
		close(p.hung)
	}
}

// HangOn makes the relay hang as zwatch sends a message holding text,
// before the server sees it: a statement of a command's own, after its
// start-up and first queries were answered.
func (p *Proxy) HangOn(text string) {
	b := []byte(text)
	p.hangOn.Store(&b)
}

// cutAfter is a CutAfter's texts, and whether it has cut.
type cutAfter struct {
	armedBy, on []byte
	done        atomic.Bool
}

// CutAfter makes the relay, on the first connection where zwatch sends a
// message holding armedBy, pass on the next message holding on, and then
// close zwatch's side of that connection before the server's answer
// reaches it, once: "COMMIT" after a statement's text is a commit the
// server makes and zwatch never hears of, as when a failover or the
// network drops the connection at that moment.
func (p *Proxy) CutAfter(armedBy, on string) {
	p.cut.Store(&cutAfter{armedBy: []byte(armedBy), on: []byte(on)})
}

// Cut says whether the relay has cut a connection for CutAfter.
func (p *Proxy) Cut() bool {
	c := p.cut.Load()
	return c != nil && c.done.Load()
}

// Hung is closed once the relay hangs.
func (p *Proxy) Hung() <-chan struct{} { return p.hung }

// Delay makes the relay hold everything it passes, either way, for d
// before passing it on: a round trip grows by twice d.
func (p *Proxy) Delay(d time.Duration) {
	p.delay.Store(int64(d))
}

func (p *Proxy) serve(network, address string) {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial(network, address)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		// deaf: the server's answers no longer reach zwatch (CutAfter).
		deaf := new(atomic.Bool)
		go p.pass(server, client, true, deaf)
		go p.pass(client, server, false, deaf)
	}
}

// pass copies from src to dst until the relay hangs, then holds both
// open, reading nothing, until the test ends. fromZwatch: src is zwatch's
// side of the connection.
func (p *Proxy) pass(dst io.Writer, src io.Reader, fromZwatch bool, deaf *atomic.Bool) {
	buf := make([]byte, 32<<10)
	var seen []byte
	armed := false // this connection sent CutAfter's armedBy
	for {
		select {
		case <-p.hung:
			<-p.done
			return
		default:
		}
		n, err := src.Read(buf)
		select {
		case <-p.hung:
			<-p.done
			return
		default:
		}
		if text := p.hangOn.Load(); fromZwatch && text != nil {
			// The text may straddle two reads: the end of the last is kept.
			seen = append(seen, buf[:n]...)
			if bytes.Contains(seen, *text) {
				p.Hang()
				<-p.done
				return
			}
			seen = seen[max(0, len(seen)-len(*text)):]
		}
		cutNow := false
		if c := p.cut.Load(); fromZwatch && c != nil && !c.done.Load() && n > 0 {
			// A message's text is taken as read whole: statements of
			// zwatch's fit one read.
			if armed && bytes.Contains(buf[:n], c.on) {
				cutNow = c.done.CompareAndSwap(false, true)
			}
			armed = armed || bytes.Contains(buf[:n], c.armedBy)
		}
		if cutNow {
			// Before the message goes: the server's answer to it, which
			// may come back before zwatch's side is closed, must not
			// reach zwatch.
			deaf.Store(true)
		}
		if !fromZwatch && deaf.Load() {
			return
		}
		if n > 0 {
			if d := time.Duration(p.delay.Load()); d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if cutNow {
			if closer, ok := src.(io.Closer); ok {
				closer.Close()
			}
			return
		}
		if err != nil {
			return
		}
	}
}

func (p *Proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.done)
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}
