package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// A list's ages and next checks are told on the database's clock, which
// its times are on: a host 10 minutes behind showed an order sent a minute
// ago as "in 8m", and one due in half a minute as "10m".
func TestListTellsTimesOnTheDatabasesClock(t *testing.T) {
	dbNow := time.Now().Add(10 * time.Minute) // the host is 10 minutes behind
	sent, next := dbNow.Add(-61*time.Second), dbNow.Add(36*time.Second)
	var out bytes.Buffer
	opts := &ListOptions{GlobalOptions: &GlobalOptions{IO: IOStreams{Out: &out}}, Output: "table"}
	err := opts.print(store.Listed{Orders: []store.ListedOrder{{ID: "7f9c2d4e-0000-4000-8000-000000000001", ExternalStatus: "processing",
		SentAt: &sent, NextCheckAt: &next, Attempts: 1, Matching: 1, ReadAt: dbNow}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), " 1m ") || !strings.Contains(out.String(), " 36s ") {
		t.Errorf("an order sent 61 s and due in 36 s by the database's clock, the host 10 minutes behind:\n%s", out.String())
	}
}

// A list of finished orders that read only the newest answers says how far
// back it read, and that more may match than it counts.
func TestAListThatStoppedReadingSaysWhere(t *testing.T) {
	since := time.Date(2026, 12, 1, 22, 10, 0, 0, time.UTC)
	var out bytes.Buffer
	opts := &ListOptions{GlobalOptions: &GlobalOptions{IO: IOStreams{Out: &out}}, Output: "table"}
	var orders []store.ListedOrder
	for range 3 {
		orders = append(orders, store.ListedOrder{ID: "7f9c2d4e-0000-4000-8000-000000000001", ExternalStatus: "completed", Matching: 5, ReadAt: time.Now()})
	}
	if err := opts.print(store.Listed{Orders: orders, ReadSince: &since}, nil); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "at least 2 more not shown") || !strings.Contains(text, "Read back to "+shownTime(since)+" only") {
		t.Errorf("a list that read back to %s only:\n%s", since, text)
	}
}
