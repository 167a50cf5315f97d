package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/pflag"

	"github.com/zwatch/zwatch/pkg/store"
)

// How an operator names things: an order the way a customer reads it out
// (its number, or the short id `list` shows), an integration by its name.

// nameFlag registers a flag that names one thing: an order, a tenant, an
// integration, a role. Given twice with two values it is refused while the
// command line is parsed: who names two orders expects both, and the last
// alone would be shown or asked about without a word about the first. The
// same value again is taken: shell completion parses the line twice.
func nameFlag(f *pflag.FlagSet, p *string, name, usage string) {
	f.Var(&nameValue{p: p}, name, usage)
}

type nameValue struct {
	p   *string
	set bool
}

func (v *nameValue) String() string { return *v.p }
func (v *nameValue) Type() string   { return "string" }
func (v *nameValue) Set(s string) error {
	switch {
	case v.set && strings.TrimSpace(*v.p) == "" && s != *v.p:
		return errors.New("given twice, the first time empty: name one at a time")
	case v.set && s != *v.p:
		return fmt.Errorf("already given as %q: name one at a time", *v.p)
	}
	*v.p, v.set = s, true
	return nil
}

// minIDPrefix is the shortest id prefix taken: fewer hex digits would name
// half the shop.
const minIDPrefix = 4

// errNoSuchOrder is an order reference that names no order.
var errNoSuchOrder = errors.New("no such order")

// idPrefixRange is the range of UUIDs that begin with prefix (hex digits,
// with or without the dashes), or the one id a whole id names in any form
// ids are written in ("{…}", "urn:uuid:…"); ok is false when prefix is
// neither.
func idPrefixRange(prefix string) (from, to string, ok bool) {
	if id, err := uuid.Parse(prefix); err == nil {
		return id.String(), id.String(), true
	}
	hex := strings.ToLower(strings.ReplaceAll(prefix, "-", ""))
	if len(hex) < minIDPrefix || len(hex) > 32 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", "", false
	}
	// Dashes, where given, must be where a UUID has them.
	if strings.Contains(prefix, "-") && !strings.HasPrefix("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", uuidShape(prefix)) {
		return "", "", false
	}
	pad := func(fill string) string {
		h := hex + strings.Repeat(fill, 32-len(hex))
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	return pad("0"), pad("f"), true
}

func uuidShape(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' {
			return r
		}
		return 'x'
	}, s)
}

// parseOrderRef reads an order reference: an order number (digits), the
// beginning of an order id (at least 4 hex digits), or a whole id. Digits
// alone are an order number; from 8 digits on, they may be an id prefix too.
func parseOrderRef(flag, s string) (store.OrderRef, error) {
	var ref store.OrderRef
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 32); err == nil && n >= 0 {
		ref.OrderNo = &n
		if len(s) < 8 {
			return ref, nil
		}
	}
	if from, to, ok := idPrefixRange(s); ok {
		ref.IDFrom, ref.IDTo = from, to
	}
	if ref.OrderNo == nil && ref.IDFrom == "" {
		return ref, usage("%s %q: want an order number (1010), the beginning of an order id (9b84a6d1, at least %d hex digits) or a whole id", flag, s, minIDPrefix)
	}
	return ref, nil
}

// noSuchOrder says that ref, given as s, names no order, in the words of
// how s was read: digits alone shorter than 8 are an order number only, as
// so few digits of an id would match orders at random, and an operator who
// meant an id's beginning learns to give more of it.
func noSuchOrder(s string, ref store.OrderRef) string {
	if ref.IDFrom == "" && ref.OrderNo != nil {
		return fmt.Sprintf("no order has the number %s (an id's beginning made of digits alone needs 8 of them)", strings.TrimSpace(s))
	}
	return "no order has this number or an id beginning so"
}

// resolveOrder is the id of the one order ref names. It wraps
// errNoSuchOrder when there is none, and is a usage error when ref names
// more than one.
func resolveOrder(ctx context.Context, st *store.Store, flag, s string, ref store.OrderRef) (string, error) {
	const shown = 5
	matches, err := st.FindOrders(ctx, ref, shown+1)
	if err != nil {
		return "", fatal(err)
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%s: %w", noSuchOrder(s, ref), errNoSuchOrder)
	case 1:
		return matches[0].ID, nil
	}
	var names []string
	for _, m := range matches[:min(len(matches), shown)] {
		name := m.ID
		if m.OrderNo != nil {
			name = fmt.Sprintf("%s (number %d)", m.ID, *m.OrderNo)
		}
		names = append(names, name)
	}
	more := ""
	if len(matches) > shown {
		more = " and more"
	}
	return "", usage("%s %s names more than one order: %s%s; give more of the id", flag, s, strings.Join(names, ", "), more)
}

// resolveIntegration is the znet integration s names: its name (in any
// case, the one written exactly as s first), its id, or the beginning of
// its id. None, or more than one, is a usage error.
func resolveIntegration(ctx context.Context, st *store.Store, flag, s string) (store.Integration, error) {
	s = strings.TrimSpace(s)
	from, to, _ := idPrefixRange(s)
	found, err := st.FindIntegrations(ctx, s, from, to)
	if err != nil {
		return store.Integration{}, fatal(err)
	}
	switch len(found) {
	case 0:
		if hex := strings.ReplaceAll(s, "-", ""); hex != "" && len(hex) < minIDPrefix && strings.Trim(strings.ToLower(hex), "0123456789abcdef") == "" {
			return store.Integration{}, usage("%s %q: no znet integration has this name, and an id's beginning needs at least %d hex digits (see zwatch stats)", flag, s, minIDPrefix)
		}
		return store.Integration{}, usage("%s %q: no znet integration has this name or an id beginning so (see zwatch stats)", flag, s)
	case 1:
		return found[0], nil
	}
	// A name that looks like hex (an integration called "BEEF") is that
	// integration, not the beginning of another's id. Compared lower-cased
	// as the database's lower() does in a UTF-8 locale other than Turkish:
	// EqualFold does not fold "İ" to "i", and took "istanbul" for Istanbul
	// alone where İSTANBUL was found too.
	byName := slices.DeleteFunc(slices.Clone(found), func(in store.Integration) bool {
		//lint:ignore SA6005 EqualFold is the comparison that went wrong here
		return strings.ToLower(strings.TrimSpace(in.Name)) != strings.ToLower(s)
	})
	if len(byName) == 1 {
		return byName[0], nil
	}
	// Names that differ in case only (znet-A, ZNET-A): the one written as
	// given is meant.
	exactly := slices.DeleteFunc(byName, func(in store.Integration) bool { return strings.TrimSpace(in.Name) != s })
	if len(exactly) == 1 {
		return exactly[0], nil
	}
	var names []string
	for _, in := range found {
		names = append(names, fmt.Sprintf("%s (%s)", in.Name, in.ID))
	}
	return store.Integration{}, usage("%s %q names more than one znet integration: %s; give more of the id", flag, s, strings.Join(names, ", "))
}

// checkTenantRef says whether s has the form of a tenant reference, a
// whole id or the beginning of one, before any database is opened: bad
// input is refused without a connection.
func checkTenantRef(flag, s string) error {
	if _, _, ok := idPrefixRange(strings.TrimSpace(s)); ok {
		return nil
	}
	return usage("%s %q: want a tenant id, or its beginning as zwatch list shows it (at least %d hex digits)", flag, s, minIDPrefix)
}

// resolveTenant is the tenant s names: its id, or the beginning of it as
// `zwatch list` shows it; a beginning must fit exactly one tenant of the
// znet orders, a whole id a tenant of the znet orders or of an integration
// (a tenant with none yet lists nothing). A whole id that fits neither is
// refused as a beginning is: a pasted id with one character wrong would
// otherwise read as "nothing waits for this tenant".
func resolveTenant(ctx context.Context, st *store.Store, flag, s string) (string, error) {
	s = strings.TrimSpace(s)
	from, to, ok := idPrefixRange(s)
	if !ok {
		return "", checkTenantRef(flag, s)
	}
	const shown = 5
	found, err := st.FindTenants(ctx, from, to, shown+1)
	if err != nil {
		return "", fatal(err)
	}
	if len(found) == 0 && from == to {
		known, err := st.TenantHasIntegration(ctx, from)
		switch {
		case err != nil:
			return "", fatal(err)
		case !known:
			return "", usage("%s %q: no znet order's tenant, nor any integration's, has this id", flag, s)
		}
		return from, nil
	}
	switch {
	case len(found) == 0:
		return "", usage("%s %q: no znet order's tenant has an id beginning so", flag, s)
	case len(found) == 1:
		return found[0], nil
	}
	more := ""
	if len(found) > shown {
		found, more = found[:shown], " and more"
	}
	return "", usage("%s %q names more than one tenant: %s%s; give more of the id", flag, s, strings.Join(found, ", "), more)
}

// rateValue is --rate. Its 0 means no limit, so a rate too small for a
// float64 must not become it: strconv reads 1e-400 as 0 without an error,
// and a panel an operator meant to spare would get every request zwatch
// can send. Only a zero written as one is 0.
type rateValue float64

func (v *rateValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }
func (v *rateValue) Type() string   { return "float" }
func (v *rateValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return errors.New("out of range: a rate is from 0.1 to 1000, or 0 for no limit")
	case err != nil:
		return errors.New("not a number")
	case f == 0 && !writesZero(s):
		return errors.New("too small to tell from 0, which is no limit: give 0, or a rate from 0.1")
	}
	*v = rateValue(f)
	return nil
}

// writesZero tells whether s, a number strconv.ParseFloat read as 0,
// writes zero rather than a number too small to hold: its digits before
// the exponent are all 0.
func writesZero(s string) bool {
	m := strings.ToLower(strings.TrimLeft(strings.TrimSpace(s), "+-"))
	exponent := "e"
	if strings.HasPrefix(m, "0x") {
		m, exponent = m[2:], "p"
	}
	m, _, _ = strings.Cut(m, exponent)
	return !strings.ContainsAny(m, "123456789abcdef")
}
