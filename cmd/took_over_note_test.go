package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// stats names the run whose orders a run took over first in its note, so
// that a long note (failing panels) does not cut it off, and tells a run
// that recorded itself later (stopped, its VM paused past its lease) from
// one that never did (killed) (helper-364).
func TestStatsTellsAKilledRunFromOneHeldUp(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	dead := "ip-10-20-30-40.eu-central-1.compute.internal/4242/1f0c9a3e"
	paused := "ip-10-20-30-40.eu-central-1.compute.internal/5151/7d2e0b44"
	a, b := s.order("50001"), s.order("50002")
	s.znet.Script("50001", znettest.Waiting(""))
	s.znet.Script("50002", znettest.Waiting(""))
	for i := range 3 {
		// A panel failing in the same run, whose names fill the note.
		fake, integ := s.panel("znet-Ankara-Merkez-"+string(rune('A'+i)), password)
		fake.Close()
		s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "6000" + string(rune('1'+i)), OrderNo: 6001 + i})
	}
	zwatch(t, s.db, "check-pending") // registers them all
	s.db.TakeClaim(a, dead)
	s.db.TakeClaim(b, paused)
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	r := zwatch(t, s.db, "check-pending", "-q")
	for _, id := range []string{dead, paused} {
		if !strings.Contains(r.all(), "took over 1 order from run "+id) {
			t.Errorf("-q does not name the run %s whose order it took over:\n%s", id, r.all())
		}
	}
	// The paused run goes on, and records itself.
	s.db.Exec(`INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, exit_status) VALUES ($1, 'ip-10-20-30-40', now() - interval '1 minute', now(), 0)`, paused)

	st := zwatch(t, s.db, "stats", "--runs", "1")
	if !strings.Contains(st.stdout, "took over 1 order of a run killed?") {
		t.Errorf("stats does not lead its note with the run it took over, killed:\n%s", st.stdout)
	}
	js := zwatch(t, s.db, "stats", "--runs", "1", "-o", "json")
	for _, want := range []string{`"run_id": "` + dead + `"`, `"run_id": "` + paused + `"`, `"recorded_itself": true`} {
		if !strings.Contains(js.stdout, want) {
			t.Errorf("stats -o json lacks %s:\n%s", want, js.stdout)
		}
	}
	if strings.Count(js.stdout, `"recorded_itself": true`) != 1 {
		t.Errorf("stats -o json: want only the paused run recorded:\n%s", js.stdout)
	}
}

// check --order records no run of its own: a run that takes over its
// lapsed claim says it was a check, not a run killed (helper-366); a run
// of a host named "check" is a run, its id one part shorter.
func TestAClaimOfCheckTakenOverIsNamedACheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ claimedBy, says, stats string }{
		{"check/till-2/9911/0c1d2e3f", "took over 1 order from a check --order (check/till-2/9911/0c1d2e3f)", "took over 1 order of a check --order"},
		{"check/4242/0c1d2e3f", "took over 1 order from run check/4242/0c1d2e3f", "took over 1 order of a run killed?"},
	} {
		t.Run(tc.claimedBy, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			id := s.order("50011")
			s.znet.Script("50011", znettest.Waiting(""))
			zwatch(t, s.db, "check-pending") // registers it
			s.db.TakeClaim(id, tc.claimedBy)
			s.db.ExpireClaims()
			s.db.MakeAllDue()
			if r := zwatch(t, s.db, "check-pending", "-q"); !strings.Contains(r.all(), tc.says) {
				t.Errorf("-q does not say %q:\n%s", tc.says, r.all())
			}
			if st := zwatch(t, s.db, "stats", "--runs", "1"); !strings.Contains(st.stdout, tc.stats) {
				t.Errorf("stats does not say %q:\n%s", tc.stats, st.stdout)
			}
		})
	}
}
