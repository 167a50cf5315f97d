package store

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// namedSQL is a statement written with named parameters (@run_id), so that
// each value reads beside the column it fills, turned once, when the package
// loads, into the numbered parameters ($1, $2) PostgreSQL takes. sqlx's own
// :name binding cannot be used: it reads PostgreSQL's :: casts as names.
type namedSQL struct {
	text  string   // with $1, $2, ...
	names []string // names[k] is $k+1
}

// paramName is @ and a lower-case name; PostgreSQL's @ operators (@>, <@,
// @@) are never followed by a letter.
var paramName = regexp.MustCompile(`@([a-z_]+)`)

func named(text string) namedSQL {
	var q namedSQL
	q.text = paramName.ReplaceAllStringFunc(text, func(m string) string {
		name := m[1:]
		k := slices.Index(q.names, name)
		if k < 0 {
			q.names = append(q.names, name)
			k = len(q.names) - 1
		}
		return "$" + strconv.Itoa(k+1)
	})
	return q
}

// params are the values of a named statement's parameters, by name.
type params map[string]any

// args orders values as the statement numbers them. A name without a value,
// or a value without a name, is a mistake in the code, which the first test
// to run the statement finds.
func (q namedSQL) args(values params) []any {
	if len(values) != len(q.names) {
		panic(fmt.Sprintf("store: statement takes %v, given %d values", q.names, len(values)))
	}
	out := make([]any, len(q.names))
	for k, name := range q.names {
		v, ok := values[name]
		if !ok {
			panic(fmt.Sprintf("store: no value for @%s", name))
		}
		out[k] = v
	}
	return out
}
