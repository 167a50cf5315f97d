package store_test

import (
	"context"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// zwatch's transactions run without JIT, whatever the server's default:
// the guards a save of PINs runs were compiled for 30-700 ms each on a
// server with the default jit = on, for statements that run in under a
// millisecond, their estimates grown with the rows zwatch keeps
// (helper-357).
func TestZwatchsTransactionsRunWithoutJIT(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = on', current_database()); END $$`)
	db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit_above_cost = 0', current_database()); END $$`)
	// New connections, which take the database's settings.
	got, err := openAnother(t, db).SettingInItsTransactions(context.Background(), "jit")
	if err != nil || got != "off" {
		t.Errorf("jit in zwatch's transactions: %q, %v; want off", got, err)
	}
}
