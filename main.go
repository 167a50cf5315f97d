// Command zwatch polls znet for the shop's sent orders and saves their final
// status and PIN to the shop's database. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/zwatch/zwatch/cmd"
)

func main() {
	// A signal cancels the context: the run stops claiming, cancels what is
	// in flight, saves what it has and releases the rest. A second signal
	// kills the process the usual way. SIGHUP too (the ssh session a run
	// was started from closing, a supervisor's reload): by default it
	// would end the run at once, unrecorded, its claims held and the
	// answers it had not saved lost. Unless it was ignored when zwatch
	// started (nohup): asking for it would undo that.
	signals := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		signals = append(signals, syscall.SIGHUP)
	}
	ctx, stop := signal.NotifyContext(context.Background(), signals...)
	// Output to a pipe whose reader went away (| head -1) must not kill a
	// run halfway, its claims held and its PINs unsaved: the write fails
	// instead, the run ends as it would, and the exit status says the
	// output was lost.
	signal.Ignore(syscall.SIGPIPE)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(cmd.Main(ctx, os.Args[1:], cmd.SystemStreams()))
}
