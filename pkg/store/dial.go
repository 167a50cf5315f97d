package store

import (
	"context"
	"net"
	"time"
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
