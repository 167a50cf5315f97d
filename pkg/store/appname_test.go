package store

import (
	"context"
	"os"
	"testing"
)

// A DBA tells zwatch's sessions from the shop's by their name in
// pg_stat_activity: "zwatch", unless the URL or PGAPPNAME names them
// otherwise.
func TestZwatchsSessionsAreNamed(t *testing.T) {
	ctx := context.Background()
	url := os.Getenv("ZWATCH_TEST_DATABASE_URL") // as storetest finds the test cluster
	if url == "" {
		url = os.Getenv("DATABASE_URL")
	}
	for _, c := range []struct{ env, want string }{{"", "zwatch"}, {"shop-cron", "shop-cron"}} {
		t.Setenv("PGAPPNAME", c.env)
		st, err := Open(ctx, url)
		if err != nil {
			t.Fatalf("the test cluster: %v", err)
		}
		var name string
		err = st.db.GetContext(ctx, &name, `SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()`)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if name != c.want {
			t.Errorf("zwatch's session is named %q in pg_stat_activity, want %q", name, c.want)
		}
	}
}
