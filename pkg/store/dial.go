package store

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// A connection to the shop's database can die without a word: a failover
// moves the server's address, a firewall or NAT forgets the connection, a
// host loses power. lib/pq cancels a statement whose context has ended by
// sending a cancel request on a new connection, and then still waits for
// the old connection's answer, which never comes; the kernel gives up on
// such a socket after minutes (keepalives, by Go's defaults, about 2.5
// minutes) or a quarter of an hour (data sent and never acknowledged). A
// run, and every deadline it set, would wait as long. So every connection
// zwatch opens asks the kernel to give up sooner: keepalive probes after
// deadIdle without traffic, deadProbes of them deadInterval apart, and no
// more than deadUnacked for data the server never acknowledges.
const (
	deadIdle     = 10 * time.Second
	deadInterval = 5 * time.Second
	deadProbes   = 3
	deadUnacked  = 30 * time.Second
)

// dialer opens the database's connections with those limits. It is a
// pq.Dialer and a pq.DialerContext.
type dialer struct{ net.Dialer }

func newDialer() *dialer {
	return &dialer{net.Dialer{
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: deadIdle, Interval: deadInterval, Count: deadProbes},
		Control:         limitUnacked,
	}}
}

func (d *dialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

// DialContext dials as net.Dialer does, and hands the connection to the
// start-up it is dialed for (stoppableConnector), if any, so that a signal
// can end it.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	s, _ := ctx.Value(startingKey{}).(*starting)
	var left time.Duration
	if s != nil {
		var err error
		if left, err = s.dialing(network + " " + address); err != nil {
			return nil, err
		}
	}
	conn, err := d.Dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return conn, nil
	}
	watched := &answeringConn{Conn: conn}
	if !s.dialed(watched, left) {
		return nil, errStartupStopped
	}
	return watched, nil
}

// stoppableConnector is the driver's connector, whose start-up (TLS, the
// startup message, authentication, the check that the server takes
// writes) ends as soon as its context is cancelled, and on each host
// dialed after limit. lib/pq watches the context only while it dials: the
// exchange after it waits for the server whatever the context says, up to
// connect_timeout, and a Ctrl-C on a command connecting to a host that
// took the connection and never answered (a hung server or pooler) would
// wait those seconds out and then be said as "database unreachable".
// Then, for target_session_attrs=read-write, lib/pq lifts connect_timeout's
// deadline and asks a server that did not say at start-up whether it takes
// writes (any before PostgreSQL 14) with no deadline at all: a server that
// hangs there held the command for ever.
//
// It goes over a failover list itself, a connector of lib/pq's for each
// host, so that a host whose session fails zwatch's own first queries
// (ready: a pooler whose session is read-only, a server deaf after the
// start-up) is passed over for the next, as one the driver refuses is.
type stoppableConnector struct {
	// passes are the hosts in the list's order, each pass tried after the
	// one before found no host: under target_session_attrs=prefer-standby
	// (libpq's: a standby if a host is one, else any host) two, asking
	// for a standby and then for any; else one. lib/pq alone goes over
	// the hosts again for as long as none connects: a read-only command
	// given prefer-standby while the database was down spun for ever,
	// whatever a signal or a deadline said.
	passes [][]*pq.Connector
	hosts  []string // each host's name, for a list's error: host:port
	// random: load_balance_hosts=random, each start-up tries the hosts in
	// an order of its own.
	random bool
	limit  time.Duration // connect_timeout: each host's start-up's bound
	// writes: the command writes, and each connection is asked whether
	// its session takes writes (requireWritable) before it is used.
	writes bool
}

// newStoppableConnector is the connector for cfg, its connections dialed
// by the dialer.
func newStoppableConnector(cfg pq.Config, writes bool) (stoppableConnector, error) {
	c := stoppableConnector{limit: cfg.ConnectTimeout, writes: writes, random: cfg.LoadBalanceHosts == pq.LoadBalanceHostsRandom}
	targets := []pq.TargetSessionAttrs{cfg.TargetSessionAttrs}
	if cfg.TargetSessionAttrs == pq.TargetSessionAttrsPreferStandby {
		targets = []pq.TargetSessionAttrs{pq.TargetSessionAttrsStandby, pq.TargetSessionAttrsAny}
	}
	hosts := hostsOf(cfg)
	for _, host := range hosts {
		c.hosts = append(c.hosts, fmt.Sprintf("%s:%d", host.Host, host.Port))
	}
	for _, target := range targets {
		var pass []*pq.Connector
		for _, host := range hosts {
			host.TargetSessionAttrs = target
			connector, err := pq.NewConnectorConfig(host)
			if err != nil {
				return c, err
			}
			connector.Dialer(newDialer())
			pass = append(pass, connector)
		}
		c.passes = append(c.passes, pass)
	}
	return c, nil
}

// hostsOf is cfg for each host of its list, in order.
func hostsOf(cfg pq.Config) []pq.Config {
	first := cfg.Clone()
	first.Multi = nil
	hosts := []pq.Config{first}
	for _, m := range cfg.Multi {
		host := first.Clone()
		host.Host, host.Hostaddr, host.Port = m.Host, m.Hostaddr, m.Port
		hosts = append(hosts, host)
	}
	return hosts
}

// Driver is lib/pq's.
func (c stoppableConnector) Driver() driver.Driver { return c.passes[0][0].Driver() }

// startingKey is the context key under which Connect hands the start-up it
// watches to the dialer.
type startingKey struct{}

// errStartupStopped is the dialer's word for a connection dialed after its
// start-up was stopped; Connect says why instead.
var errStartupStopped = errors.New("connecting was stopped")

func (c stoppableConnector) Connect(ctx context.Context) (driver.Conn, error) {
	s := &starting{}
	// Only a cancellation (a signal) ends the start-up early: a deadline
	// of the caller's leaves it to connect_timeout, which the operator may
	// have set longer than zwatch's own bounds.
	stopWatching := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			s.stop(fmt.Errorf("connecting was stopped before the server had answered: %w", ctx.Err()))
		}
	})
	defer stopWatching()
	s.limit = c.limit
	defer s.finish()
	startCtx := context.WithValue(ctx, startingKey{}, s)
	order := make([]int, len(c.hosts))
	for i := range order {
		order[i] = i
	}
	if c.random {
		order = rand.Perm(len(c.hosts))
	}
	var errs []error
	// The hosts' time is shared by the passes: a host that used up its
	// connect_timeout is not dialed again.
	for _, pass := range c.passes {
		errs = errs[:0] // a later pass's failures say why none connected
		for _, i := range order {
			conn, err := c.connectTo(ctx, startCtx, s, pass[i])
			if err == nil {
				return conn, nil
			}
			if stopped := s.stoppedWhy(); stopped != nil {
				return nil, stopped
			}
			errs = append(errs, err)
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	// As lib/pq words a list's failure, each host named with its error.
	for i, err := range errs {
		errs[i] = fmt.Errorf("connecting to %s: %w", c.hosts[order[i]], err)
	}
	return nil, fmt.Errorf("could not connect to any of the hosts:\n%w", errors.Join(errs...))
}

// connectTo starts a session on one host and readies it (ready). The
// connection it returns is the pool's: the start-up is finished.
func (c stoppableConnector) connectTo(ctx, startCtx context.Context, s *starting, host *pq.Connector) (driver.Conn, error) {
	s.startingHost()
	conn, err := host.Connect(startCtx)
	if err == nil {
		if err = c.ready(ctx, conn); err != nil {
			_ = conn.Close()
		}
	} else {
		err = startUpError(err, s)
	}
	if err == nil {
		if err := s.finishIfOnTime(); err != nil {
			// Stopped, or given up on just as the last answer came: the
			// connection is closed under the driver.
			_ = conn.Close()
			return nil, err
		}
		return conn, nil
	}
	// The driver's own words (a password refused); a connection given up
	// on as late says so in them (answeringConn.why).
	return nil, err
}

// ready readies a connection the driver has started for zwatch's
// statements, still within its host's connect_timeout: a server that
// finished the start-up and then left a query unanswered, and its cancel
// too, held the command for ever after the start-up's limit was lifted (a
// review's find).
func (c stoppableConnector) ready(ctx context.Context, conn driver.Conn) error {
	err := rawBytesFromSQLASCII(ctx, conn)
	if err == nil && c.writes {
		err = requireWritable(ctx, conn)
	}
	return notRetried(err)
}

// startUpError is the driver's error for a host's start-up, in words for
// the operator.
func startUpError(err error, s *starting) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The driver's own deadline, connect_timeout, which races
		// giveUpOn to say the same: "read tcp …: i/o timeout" names no
		// setting an operator could look up.
		return s.lateError()
	}
	if late := s.lateOnHost(); late != nil && errors.Is(err, pq.ErrSSLNotSupported) {
		// Under sslmode=allow the driver tries with TLS after the try
		// without failed, and says only why the second failed: the first
		// was given up on as late, not refused.
		return late
	}
	return notRetried(err)
}

// notRetried is err, which database/sql must not take for a pooled
// connection gone stale (driver.ErrBadConn): it would connect again, up to
// three times the bound, each time with a clock of its own. lib/pq says
// so of a server that closed the connection, or ended it with a FATAL
// error, while the session was starting.
func notRetried(err error) error {
	if !errors.Is(err, driver.ErrBadConn) {
		return err
	}
	return &closedWhileStarting{err}
}

// closedWhileStarting is an error that holds driver.ErrBadConn, and is
// everything it holds but that.
type closedWhileStarting struct{ err error }

func (e *closedWhileStarting) Error() string {
	return strings.ReplaceAll(e.err.Error(), driver.ErrBadConn.Error(), "the server closed the connection while the session was starting")
}

func (e *closedWhileStarting) Is(target error) bool {
	return target != driver.ErrBadConn && errors.Is(e.err, target)
}

func (e *closedWhileStarting) As(target any) bool { return errors.As(e.err, target) }

// starting is one connection's start-up: what was dialed for it, and
// whether and why it was stopped.
type starting struct {
	mu      sync.Mutex
	conns   []*answeringConn
	stopped error
	// finished: the start-up has ended and its connection is the pool's,
	// which a late stop must leave alone.
	finished bool
	// limit bounds the start-up on each connection dialed, from the dial
	// on (overdue): connect_timeout, which libpq applies to each host of
	// a list in turn. Dialing itself lib/pq bounds.
	limit   time.Duration
	overdue *time.Timer
	late    error // the last connection dialed was given up on (giveUpOn)
	// hostLate: a connection dialed for the host being started was given
	// up on; dialing the host again keeps it, the next host clears it.
	hostLate error
	// dials counts the driver's dials, so that the limit of a connection
	// the driver has moved on from gives up on nothing.
	dials int
	// silent is how long each address's tries ended waiting on the
	// server in vain: from the server's last word (or the dial) to the
	// driver giving up or moving on. trying is the address tried now,
	// since tryingSince, on tryingConn once dialed. Under sslmode=prefer
	// lib/pq dials a host again without TLS after its TLS start-up
	// failed, and under allow with TLS after it failed without, each time
	// for a whole connect_timeout: a silent server, or one that stalled
	// after its first byte, held a command twice as long as
	// connect_timeout says. A host silent for connect_timeout is not
	// dialed again, and one silent for part of it gets the rest. A try
	// that ended on the server's answer (no TLS, no standby), however
	// slow, costs its host nothing: the next gets the whole
	// connect_timeout. (libpq goes on over the one connection after a
	// server says it has no TLS, within the one connect_timeout; lib/pq
	// dials again.)
	silent      map[string]time.Duration
	trying      string
	tryingSince time.Time
	tryingConn  *answeringConn
}

// answeringConn is a connection dialed for a start-up: it notes when the
// server last answered, and says why it was given up on.
type answeringConn struct {
	net.Conn
	lastAnswer atomic.Int64          // in Unix nanoseconds; 0: none yet
	givenUp    atomic.Pointer[error] // why it was closed under the driver, if it was
	timedOut   atomic.Bool           // a read or write met the driver's deadline
}

func (c *answeringConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lastAnswer.Store(time.Now().UnixNano())
	}
	return n, c.why(err)
}

func (c *answeringConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	return n, c.why(err)
}

// why says an error of a connection given up on in the starting's words,
// not as a connection closed under the driver.
func (c *answeringConn) why(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.timedOut.Store(true)
	}
	if givenUp := c.givenUp.Load(); err != nil && givenUp != nil {
		return *givenUp
	}
	return err
}

// lateError is why a start-up on a connection was given up on.
func (s *starting) lateError() error {
	return fmt.Errorf("the server took the connection and did not finish starting the session within connect_timeout (%v)", s.limit)
}

// dialing says the driver is done with the connection dialed before, if
// any (it failed, or the next host is tried): its limit no longer runs,
// and what it was given up for is no longer the start-up's story. Left
// running, it would close a connection the driver closed already and
// stand in for the driver's own words (a password refused) when the
// dial that follows fails. It says how long the start-up on address may
// take from now (0: no limit), and refuses a dial to an address whose
// start-ups have had their connect_timeout already.
func (s *starting) dialing(address string) (left time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overdue != nil {
		s.overdue.Stop()
		s.overdue = nil
	}
	s.late = nil
	s.dials++
	if s.tryingConn != nil {
		// Under sslmode=prefer the driver dials again after a server said
		// it has no TLS, and leaves the first connection open, which the
		// server then holds until its authentication_timeout.
		_ = s.tryingConn.Close()
	}
	if s.limit <= 0 {
		return 0, nil
	}
	now := time.Now()
	if s.silent == nil {
		s.silent = map[string]time.Duration{}
	}
	if s.trying != "" {
		waitingSince := s.tryingSince
		if s.tryingConn != nil {
			if answered := s.tryingConn.lastAnswer.Load(); answered > waitingSince.UnixNano() {
				waitingSince = time.Unix(0, answered)
			}
		}
		s.silent[s.trying] += now.Sub(waitingSince)
		if c := s.tryingConn; c != nil && s.trying == address && c.timedOut.Load() {
			// The host's try met the driver's own deadline, which came
			// before giveUpOn (which notes hostLate itself), and the
			// driver tries it again (sslmode=allow, prefer). Another
			// host's lateness is not this one's: a review's find.
			s.hostLate = s.lateError()
		}
	}
	s.trying, s.tryingSince, s.tryingConn = address, now, nil
	left = s.limit
	if silent, again := s.silent[address]; again {
		// The driver's deadline for a try began just before it dialed: a
		// host given up on at that deadline has a moment left on this
		// clock.
		if left = s.limit - silent; left <= s.limit/10 {
			s.trying = ""
			return 0, fmt.Errorf("the server left the start-up unanswered for connect_timeout (%v)", s.limit)
		}
	}
	return left, nil
}

// dialed keeps conn to close if the start-up is stopped; if it was
// stopped already, it closes conn and says so. Past left, if any, the
// start-up on conn is given up on.
func (s *starting) dialed(conn *answeringConn, left time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped != nil {
		_ = conn.Close()
		return false
	}
	s.conns = append(s.conns, conn)
	s.tryingConn = conn
	if left > 0 {
		dial := s.dials
		s.overdue = time.AfterFunc(left, func() { s.giveUpOn(conn, dial) })
	}
	return true
}

// giveUpOn closes conn, whose start-up took longer than the limit, and
// notes why: the driver, reading from it, tries the next host if any.
func (s *starting) giveUpOn(conn *answeringConn, dial int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The limit of a connection the driver moved on from (it timed out
	// itself at the same moment, and is dialing the next host) gives up on
	// nothing: noted, it would stand in for the next host's success. A
	// review's find, and a fresh clone's flaky failover test.
	if s.finished || s.stopped != nil || dial != s.dials {
		return
	}
	late := s.lateError()
	s.late, s.hostLate = late, late
	conn.givenUp.Store(&late)
	_ = conn.Close()
}

// stop closes what was dialed, which ends the driver's read or write on it
// at once; why is what Connect says. The first reason stands.
func (s *starting) stop(why error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished || s.stopped != nil {
		return
	}
	s.stopped = why
	for _, conn := range s.conns {
		_ = conn.Close()
	}
}

// stoppedWhy says why the start-up was stopped, if it was.
func (s *starting) stoppedWhy() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// startingHost says the driver starts on the next host of the list.
func (s *starting) startingHost() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostLate = nil
}

// lateOnHost says whether a connection dialed for the host being started
// was given up on as late.
func (s *starting) lateOnHost() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hostLate
}

// finishIfOnTime ends the start-up, its last connection the pool's, unless
// the start-up was stopped or that connection given up on as late: then it
// says why, and the start-up goes on to the next host, if any.
func (s *starting) finishIfOnTime() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := cmp.Or(s.stopped, s.late); err != nil {
		return err
	}
	s.finishLocked()
	return nil
}

// finish ends the start-up.
func (s *starting) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishLocked()
}

func (s *starting) finishLocked() {
	s.finished = true
	if s.overdue != nil {
		s.overdue.Stop()
	}
}

// sqlASCIIRawSQL has a session of a database in SQL_ASCII take its text as
// it is. Such a database holds whatever bytes the shop's code wrote (a
// Windows-1254 "Ödeme", a no-break space pasted after a referans), and the
// server refuses to send a value that is no UTF-8 to a client that asked
// for UTF-8, as lib/pq does: the one statement reading it (the claim, the
// integrations, a list) failed, and one row stopped every tenant's PINs.
// With client_encoding SQL_ASCII it sends the bytes, which zwatch reads as
// the shop wrote them; what zwatch writes it stores as it would anyway,
// the UTF-8 it is sent. Other databases keep UTF-8.
const sqlASCIIRawSQL = `SELECT set_config('client_encoding', 'SQL_ASCII', false) WHERE current_setting('server_encoding') = 'SQL_ASCII'`

// rawBytesFromSQLASCII runs sqlASCIIRawSQL on a connection just made.
func rawBytesFromSQLASCII(ctx context.Context, conn driver.Conn) error {
	execer, ok := conn.(driver.ExecerContext)
	if !ok {
		return nil
	}
	if _, err := execer.ExecContext(ctx, sqlASCIIRawSQL, nil); err != nil {
		return fmt.Errorf("reading the server's encoding: %w", err)
	}
	return nil
}
