package store

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// A zwatch process stopped in the middle of a transaction (SIGSTOP, a
// paused VM, a host or network lost) must not hold its locks for hours: the
// server ends the transaction once it has been idle idleInTxLimit, so that
// the registering cursor and the shop's rows are free for the next run.
func TestTheServerEndsATransactionWhoseClientStopped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := os.Getenv("ZWATCH_TEST_DATABASE_URL") // as storetest finds the test cluster
	if url == "" {
		url = os.Getenv("DATABASE_URL")
	}
	st, err := Open(ctx, url)
	if err != nil {
		t.Fatalf("the test cluster: %v", err)
	}
	defer st.Close()
	limit, err := time.ParseDuration(idleInTxLimit)
	if err != nil {
		t.Fatal(err)
	}

	var pid int
	err = st.inTxWaiting(ctx, "1s", func(tx *sqlx.Tx) error {
		var idle, lock string
		if err := tx.QueryRowContext(ctx, `SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('lock_timeout'), pg_backend_pid()`).
			Scan(&idle, &lock, &pid); err != nil {
			return err
		}
		if idle != idleInTxLimit || lock != "1s" {
			t.Errorf("in zwatch's transaction: idle_in_transaction_session_timeout %s, lock_timeout %s; want %s and 1s", idle, lock, idleInTxLimit)
		}
		time.Sleep(limit + 2*time.Second) // as a process stopped between two statements
		_, err := tx.ExecContext(ctx, `SELECT 1`)
		return err
	})
	if err == nil {
		t.Fatalf("a statement after %s idle in the transaction worked: the server kept the transaction", limit+2*time.Second)
	}
	other, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var left int
	if err := other.db.GetContext(ctx, &left, `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, pid); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("the stopped client's session %d is still on the server", pid)
	}
}
