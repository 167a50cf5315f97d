package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
)

// The README shows the grants on the shop's tables, which a DBA reads
// before anything else; they must be what --print-grants prints, line for
// line, and all of them.
func TestReadmeListsTheShopGrants(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, found := strings.Cut(string(readme), "<!-- grants on the shop's tables")
	if !found {
		t.Fatal("README.md lost the marked block of grants on the shop's tables")
	}
	_, block, _ := strings.Cut(after, "```sql\n")
	block, _, _ = strings.Cut(block, "```")
	inReadme := strings.Split(strings.TrimSpace(block), "\n")

	var want []string
	for _, g := range store.GrantStatements("zwatch", "shop", "public") {
		if !strings.Contains(g, ".zwatch_") {
			want = append(want, g)
		}
	}
	if !slices.Equal(inReadme, want) {
		t.Errorf("README.md's grants on the shop's tables are not what --print-grants prints; want:\n%s\ngot:\n%s",
			strings.Join(want, "\n"), strings.Join(inReadme, "\n"))
	}
}
