package store

import (
	"io/fs"
	"slices"
	"strconv"
	"testing"

	"github.com/pressly/goose/v3"
)

// The migrations that alter or index the shop's table are the ones only
// its owner may apply, and which a partitioned table refuses: 1
// (provider_referans), 3 and 7 (the claim's index).
func TestTheMigrationsThatAlterTheShopsTableAreKnown(t *testing.T) {
	names, err := fs.Glob(Migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var altering []int64
	for _, name := range names {
		version, err := strconv.ParseInt(name[:5], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if altersShop(&goose.Source{Path: name, Version: version}) {
			altering = append(altering, version)
		}
	}
	if !slices.Equal(altering, []int64{1, 3, 7}) {
		t.Errorf("migrations altering product_orders: %v, want 1, 3 and 7", altering)
	}
}
