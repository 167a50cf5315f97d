package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel's saved fit edited by hand or damaged (shares not final that
// rise, or are NaN or infinite; a weight that is no share; an age off the
// grid) is refitted like one an older zwatch saved, and meanwhile not
// read: stats died on one with a panic (exit 2) or a "json: unsupported
// value: NaN", for every panel (helper-373). So did it on a fit whose
// orders are all final at once, which is read.
func TestAnUnreadableSavedFitIsNotRead(t *testing.T) {
	t.Parallel()
	const grid = `ARRAY[0::float8] || ARRAY(SELECT power(1.04, k - 1)::float8 FROM generate_series(1, 309) k)`
	const infiniteLastAge = `ARRAY[0::float8] || ARRAY(SELECT CASE WHEN k = 309 THEN 'Infinity' ELSE power(1.04, k - 1) END::float8 FROM generate_series(1, 309) k)`
	const falling = "ARRAY(SELECT (1 - k / 310.0)::float8 FROM generate_series(1, 310) k)"
	for name, row := range map[string][3]string{
		"all final at once": {"1", grid, "array_fill(0::float8, ARRAY[310])"},
		"rising":            {"1", grid, "ARRAY(SELECT (k / 310.0)::float8 FROM generate_series(1, 310) k)"},
		"NaN":               {"1", grid, "ARRAY[1::float8] || array_fill('NaN'::float8, ARRAY[309])"},
		"infinite":          {"1", grid, "ARRAY[1::float8] || array_fill('Infinity'::float8, ARRAY[309])"},
		"weight NaN":        {"'NaN'", grid, "ARRAY[1::float8] || array_fill(0.5::float8, ARRAY[309])"},
		"an infinite age":   {"1", infiniteLastAge, falling},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			s.order("89001")
			s.znet.Script("89001", znettest.Waiting("bekliyor"))
			s.db.Exec(`INSERT INTO zwatch_panel_fits (integration_id, fitted_at, finals, completions, gave_up, own_weight, ages, survival)
				VALUES ($1::uuid, now(), 300, 300, 0, `+row[0]+`, `+row[1]+`, `+row[2]+`)`, s.integ)
			for _, args := range [][]string{{"stats"}, {"stats", "-o", "json"}, {"check-pending"}} {
				r := zwatch(t, s.db, args...)
				if r.code != 0 || strings.Contains(r.stdout, "NaN") {
					t.Errorf("%v: exit %d, want 0 and no NaN\n%s", args, r.code, r.all())
				}
			}
			if r := zwatch(t, s.db, "stats"); name != "all final at once" && !strings.Contains(r.stdout, "PIN profile") {
				t.Errorf("stats does not plan the panel from the PIN profile:\n%s", r.stdout)
			}
		})
	}
}
