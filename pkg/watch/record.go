package watch

import "github.com/zwatch/zwatch/pkg/store"

// Record is the row zwatch_runs keeps of a run that ended with exitStatus;
// runErr is what made it fail, if anything did.
func (s *Summary) Record(exitStatus int, runErr error) store.Run {
	r := store.Run{
		ID:         s.RunID,
		Host:       s.Host,
		StartedAt:  s.StartedAt,
		FinishedAt: s.StartedAt.Add(s.Duration),
		Asked:      s.Total.Asked,
		Completed:  s.Total.Completed,
		Processing: s.Total.Processing,
		Failed:     s.Total.Failed,
		Errors:     s.Total.Errors,
		Skipped:    s.Total.Skipped,
		Stuck:      s.Total.Stuck,
		Failing:    len(s.FailingIntegrations()),
		ExitStatus: exitStatus,
		StoppedBy:  s.StoppedBy,
	}
	if runErr != nil {
		r.Error = runErr.Error()
	}
	r.TookOver = s.TookOver
	if !s.DryRun {
		r.Panels = map[string]string{}
		for _, in := range s.Integrations {
			switch {
			case in.Failing:
				r.Panels[in.ID] = store.PanelFailing
			case in.Counts.Answered() || in.Answered:
				r.Panels[in.ID] = store.PanelAnswered
			case in.OnlyRefused:
				r.Panels[in.ID] = store.RefusedOn(in.RefusedAnew)
			case in.FaultedOn != "":
				r.Panels[in.ID] = store.FaultedOn(in.FaultedOn)
			}
		}
	}
	return r
}
