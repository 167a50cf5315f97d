package store

// Keeping passwords out of what zwatch says: the database's, from its
// connection settings, and any an operator put on a command line by
// mistake.

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lib/pq"
)

var (
	// Up to the last "@": a password pasted unescaped may hold "/", "@",
	// spaces, quotes or line breaks, which is what made its URL unparsable.
	urlUserinfo   = regexp.MustCompile(`(?s)//.*@`)
	passwordField = regexp.MustCompile(`(?i)password\s*=\s*('[^']*'|\S+)`)
	// A URL's password parameter, to the next parameter.
	urlPasswordParam = regexp.MustCompile(`(?i)([?&]password=)[^&]*`)
)

// isPostgresURL says whether the driver reads settings as a URL; anything
// else it reads as key=value settings, even with "://" inside.
func isPostgresURL(settings string) bool {
	return strings.HasPrefix(settings, "postgres://") || strings.HasPrefix(settings, "postgresql://")
}

// passwordSpilled says whether a URL with a user part may be the rest of
// one whose password held an "@" and then a "/", "?" or "#": an "@" after
// the host as written, in the database name or a parameter, or a fragment
// (a connection URL has none). An "@" these really hold is written %40.
func passwordSpilled(databaseURL string) bool {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		return false
	}
	return strings.Contains(u.EscapedPath(), "@") || strings.Contains(u.RawQuery, "@") || u.Fragment != ""
}

// severalPortsInURL says whether a URL names a failover list of hosts
// each with its own port ("db1:5432,db2:5433"), which the driver misreads
// (it takes "db1:5432,db2" for one host): a host before the list's last
// that carries a port, or brackets. A list whose one port, after the
// last host, serves them all ("db1,db2:5432") it reads well.
func severalPortsInURL(databaseURL string) bool {
	_, rest, _ := strings.Cut(databaseURL, "://")
	authority, _, _ := strings.Cut(rest, "/")
	authority, _, _ = strings.Cut(authority, "?")
	authority, _, _ = strings.Cut(authority, "#")
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		authority = authority[at+1:]
	}
	hosts := strings.Split(authority, ",")
	return slices.ContainsFunc(hosts[:len(hosts)-1], func(host string) bool { return strings.ContainsAny(host, ":[]") })
}

// notAValidURL says that databaseURL's user part is not written as a URL
// needs it, showing the URL without its user part and password parameter.
func notAValidURL(databaseURL string) string {
	return fmt.Sprintf("%q is not a valid URL: percent-escape any / ? # @ : %% or space in the user name and password, and any @ after the host (%%40)", redactedURL(databaseURL))
}

// redactedURL is databaseURL without its user part (up to the last "@")
// and its password parameter.
func redactedURL(databaseURL string) string {
	redacted := urlUserinfo.ReplaceAllString(databaseURL, "//REDACTED@")
	return urlPasswordParam.ReplaceAllString(redacted, "${1}REDACTED")
}

// redactDSNError removes the password from a driver or URL parsing error:
// both quote the connection string back in some paths.
func redactDSNError(err error, databaseURL string) string {
	// The URL parser's detail may quote a piece of an unescaped password
	// (invalid port ":pa" after host, invalid URL escape "%ZZ"): where the
	// URL has a user part, only the URL without it is shown. (The parser
	// quotes the URL without its fragment: a "#" cuts the password.)
	var ue *url.Error
	if errors.As(err, &ue) {
		// Where the URL without its user part and password parameter is
		// still unparsable, the fault lies elsewhere (a port that is no
		// number), and the parser's word on that URL quotes neither.
		redacted := redactedURL(databaseURL)
		if _, perr := url.Parse(redacted); perr != nil {
			if !strings.Contains(databaseURL, "@") {
				// Without an "@", user:password reads as host:port, and the
				// parser would quote the password as a port that is no
				// number: said without quoting anything.
				return "not a valid URL: after // comes host:port, with a number for the port; a user name and password go before an \"@\", as in postgres://user:password@host:5432/db"
			}
			return inOperatorsWords(perr.Error())
		}
		return notAValidURL(databaseURL)
	}
	if why := serviceNotFound(err); why != "" {
		// In a URL too: a password with an unescaped "&" puts its tail in
		// service=.
		return why
	}
	if databaseURL != "" && !isPostgresURL(databaseURL) {
		// The driver quotes the word after a key=value setting it cannot
		// read, which may be the rest of a password with a space in it.
		// Only then: settings that read well fail for the reasons every
		// connection can, and without settings only the PG* variables
		// are read.
		if _, perr := pq.NewConfig(databaseURL); perr != nil {
			if why := serviceNotFound(perr); why != "" {
				return why
			}
			return unreadableSettings(perr)
		}
	}
	msg := err.Error()
	if cfg, perr := pq.NewConfig(databaseURL); perr == nil && cfg.Password != "" {
		msg = redactPassword(msg, cfg.Password)
	}
	msg = urlUserinfo.ReplaceAllString(msg, "//REDACTED@")
	return inOperatorsWords(passwordField.ReplaceAllString(msg, "password=REDACTED"))
}

// unreadableSettings is the driver's error on key=value settings, naming
// the setting whose value it does not take, and the values it does, but
// never quoting what was given: a password with a space, not in quotes,
// puts its tail in the next setting's value.
func unreadableSettings(err error) string {
	const quoting = "a value with spaces or quotes is not in single quotes, like password='a b'"
	m := wrongSettingValue.FindStringSubmatch(err.Error())
	switch {
	case m == nil:
		return "key=value settings that cannot be read: " + quoting
	case m[2] != "":
		return fmt.Sprintf("key=value settings that cannot be read: %s takes %s; or %s", m[1], m[2], quoting)
	case strings.Contains(err.Error(), "strconv.Parse"):
		return fmt.Sprintf("key=value settings that cannot be read: %s takes a whole number, in range; or %s", m[1], quoting)
	}
	return fmt.Sprintf("key=value settings that cannot be read: the value of %s is not one it takes; or %s", m[1], quoting)
}

// wrongSettingValue is lib/pq's error on a setting's value: the setting's
// name and, for a choice, the values it takes.
var wrongSettingValue = regexp.MustCompile(`wrong value for "([a-z_]+)"(?:.*; supported values are ([a-z, -]+))?`)

// inOperatorsWords is a parser's error on the settings in the operator's
// words: a port of 99999 or a connect_timeout of "abc" said
// "strconv.ParseUint: parsing ...", a line break in a URL "net/url:
// invalid control character in URL".
func inOperatorsWords(msg string) string {
	msg = numberParsing.ReplaceAllStringFunc(msg, func(m string) string {
		sub := numberParsing.FindStringSubmatch(m)
		switch {
		case sub[1] == "Bool":
			return sub[2] + " is not on or off (true, false, 1, 0, yes, no)"
		case sub[3] == "value out of range":
			return sub[2] + " is out of range"
		case sub[1] == "Uint" && strings.HasPrefix(sub[2], `"-`):
			return sub[2] + " is negative"
		}
		return sub[2] + " is not a whole number"
	})
	return strings.Replace(msg, "net/url: invalid control character in URL", "the URL holds a control character (a line break or a tab?)", 1)
}

// numberParsing is strconv's error on a number or a boolean it could not
// read, with what it read, the text it was given, and why.
var numberParsing = regexp.MustCompile(`strconv\.Parse(\w+): parsing ("(?:[^"\\]|\\.)*"): (invalid syntax|value out of range)`)

// pgService words are the driver's words for a service it cannot find or
// read. They quote the service's name and the file's path, either of which
// may be the rest of a password written with a space and no quotes
// (password=ab service=cd), and a line of the file they cannot read
// (password Hunter2, with no "="), and are not shown: the line says what
// it is without them.
var (
	pgServiceFileMissing = regexp.MustCompile(`^pq: service file ".*" not found$`)
	pgServiceMissing     = regexp.MustCompile(`^pq: definition of service ".*" not found$`)
	pgServiceBadLine     = regexp.MustCompile(`^pq: line ([0-9]+): (missing '=' in|no value before '=' in) `)
	pgServiceBadSetting  = regexp.MustCompile(`^pq: unknown setting ".*" in service file for service ".*"$`)
)

// serviceNotFound is the line for settings whose service the driver could
// not find or read; empty for any other fault.
func serviceNotFound(err error) string {
	const where = "service= in the settings or PGSERVICE, and the service file (PGSERVICEFILE, or ~/.pg_service.conf of the user zwatch runs as)"
	msg := err.Error()
	switch {
	case pgServiceFileMissing.MatchString(msg):
		return "the settings name a service, and the service file does not exist: check " + where
	case pgServiceMissing.MatchString(msg):
		return "the settings name a service the service file does not define: check " + where
	case pgServiceBadSetting.MatchString(msg):
		return "the service the settings name has a setting the driver does not know in the service file: check " + where
	}
	if m := pgServiceBadLine.FindStringSubmatch(msg); m != nil {
		return "the service file cannot be read at line " + m[1] + ", which is no key=value setting (the line is not shown: it may hold a password): check " + where
	}
	return ""
}

// redactPassword replaces the database password in msg. A short one is
// replaced only where it stands as a word of its own: a password "e" would
// otherwise leave "pREDACTEDrmission dREDACTEDniREDACTEDd", and a message
// no one can read.
func redactPassword(msg, password string) string {
	if password == "" {
		return msg
	}
	if utf8.RuneCountInString(password) >= minPasswordInWords || !utf8.ValidString(password) {
		// (Bytes that are no UTF-8 are no word either, and no regexp
		// takes them.)
		return strings.ReplaceAll(msg, password, "REDACTED")
	}
	// A word's edge is needed only where the password has a letter or digit:
	// "#ab1" in "x#ab1" is the password all the same. "_" joins a name's
	// words ("shop_owner"), as letters do.
	left, right := `(^|[^\pL\pN_])`, `($|[^\pL\pN_])`
	first, _ := utf8.DecodeRuneInString(password)
	last, _ := utf8.DecodeLastRuneInString(password)
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		left = `()`
	}
	if !unicode.IsLetter(last) && !unicode.IsDigit(last) {
		right = `()`
	}
	word := regexp.MustCompile(left + regexp.QuoteMeta(password) + right)
	for {
		redacted := word.ReplaceAllString(msg, "${1}REDACTED${2}")
		if redacted == msg {
			return msg
		}
		msg = redacted // again: "e e" has two matches that share the space
	}
}

// RedactPasswordsOf is msg without the passwords that database settings
// among args carry: a URL's user info or password parameter, a key=value
// password, as an operator may put them on a command line by mistake (an
// unquoted $DATABASE_URL split into words, a URL without its flag). A
// message quoting those args, such as cobra's "unknown command", must not
// show them.
//
// ownWord says which words are the command line's own (a command's name,
// a flag): a password is not taken to run on into one.
func RedactPasswordsOf(msg string, args []string, ownWord func(string) bool) string {
	spans := passwordsAmong(args, ownWord)
	// By position first: a word holding a password, as the message quotes
	// it whole (%q escapes its tabs and quotes), is replaced by the same
	// word with the password cut out. Where it stands, a short password is
	// known for one even where no word's edge sets it apart ("\tab1").
	redactedArgs := slices.Clone(args)
	merged := mergeSpans(spans)
	for i := len(merged) - 1; i >= 0; i-- { // from the end: the offsets before stay right
		sp := merged[i]
		a := redactedArgs[sp.Arg]
		redactedArgs[sp.Arg] = a[:sp.From] + "REDACTED" + a[sp.To:]
	}
	for k, arg := range args {
		if redactedArgs[k] == arg {
			continue
		}
		for _, form := range [][2]string{{quotedForm(arg), quotedForm(redactedArgs[k])}, {arg, redactedArgs[k]}} {
			msg = replaceWord(msg, form[0], form[1])
		}
	}
	// Then by value, where a message quotes a password on its own (a
	// parser's word on it), escaped or not.
	for _, sp := range spans {
		pw := args[sp.Arg][sp.From:sp.To]
		// As a URL or a key=value setting escapes it, and as typed: an
		// operator may paste the password itself into a flag, which
		// quotes it as %q does (its quotes, backslashes and tabs escaped).
		forms := []string{pw, keyValueUnescaped(pw)}
		if unescaped, err := url.PathUnescape(pw); err == nil {
			forms = append(forms, unescaped)
		}
		if unescaped, err := url.QueryUnescape(pw); err == nil {
			forms = append(forms, unescaped)
		}
		for _, form := range forms {
			msg = redactPassword(redactPassword(msg, quotedForm(form)), form)
		}
	}
	return msg
}

// keyValueUnescaped is a key=value setting's value as the driver reads
// it: a backslash makes the character after it the value's own, quoted or
// not ("Hunt\ er2", 'Hunt\'er2').
func keyValueUnescaped(value string) string {
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		if value[i] == '\\' && i+1 < len(value) {
			i++
		}
		b.WriteByte(value[i])
	}
	return b.String()
}

// quotedForm is s as %q shows it, without the quotes around it.
func quotedForm(s string) string {
	// Only the outer quotes: Trim took an escaped one at either end too,
	// and a password ending in a quote showed as REDACTED" (helper-385).
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// replaceWord replaces word in msg where it stands as a word of a command
// line: at the message's ends, or between spaces or quotes. Elsewhere it
// may be a piece of another word.
func replaceWord(msg, word, with string) string {
	edge, err := regexp.Compile(`(^|[\s"'])` + regexp.QuoteMeta(word) + `($|[\s"'])`)
	if err != nil {
		// A word that is not UTF-8, which no pattern may hold: replaced
		// wherever it stands, erring towards hiding too much.
		return strings.ReplaceAll(msg, word, with)
	}
	// Again while it changes (a bounded number of times: with may hold
	// word): two words one space apart share that space, and one pass
	// takes only the first of them.
	for range 8 {
		replaced := edge.ReplaceAllStringFunc(msg, func(m string) string {
			sub := edge.FindStringSubmatch(m)
			return sub[1] + with + sub[2]
		})
		if replaced == msg {
			break
		}
		msg = replaced
	}
	return msg
}

// secretSpan is where a password stands on a command line:
// args[Arg][From:To].
type secretSpan struct{ Arg, From, To int }

// mergeSpans is spans in order, those that overlap or touch in one word
// made one: a URL's user info running on to a later "@" holds the URL's
// password parameter too.
func mergeSpans(spans []secretSpan) []secretSpan {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(x, y secretSpan) int {
		if x.Arg != y.Arg {
			return x.Arg - y.Arg
		}
		return x.From - y.From
	})
	var out []secretSpan
	for _, sp := range sorted {
		if n := len(out); n > 0 && out[n-1].Arg == sp.Arg && sp.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, sp.To)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// passwordsAmong finds what may be a password in args, erring towards
// too much: a pasted password need not be escaped as its settings
// require (an "@" or a space in a URL's, a space in a key=value one
// without quotes), and an unquoted variable is split into words at its
// spaces, so a password may run on into the next argument.
func passwordsAmong(args []string, ownWord func(string) bool) []secretSpan {
	var (
		out []secretSpan
		// runsOn: the password of the argument before goes on in this
		// one: to its "@" (a URL's user info), to its closing quote, or
		// as a word of its own (an unquoted value: of key=value settings,
		// or a URL's parameter, which ends at an "&"); or the word before
		// was the key "password", whose "=" and value are still to come.
		runsOn byte
	)
	if ownWord == nil {
		ownWord = func(string) bool { return false }
	}
	// anAtLater says whether a word after args[k] holds an "@": the end of
	// a URL's user info, where a password held an "@" or a space.
	anAtLater := func(k int) bool {
		return slices.ContainsFunc(args[k+1:], func(a string) bool { return strings.Contains(a, "@") })
	}
	for k, arg := range args {
		base := 0 // where arg, as it is cut from the left, starts in args[k]
		add := func(from, to int) {
			if to > from {
				out = append(out, secretSpan{Arg: k, From: base + from, To: base + to})
			}
		}
		cut := func(n int) { arg, base = arg[n:], base+n }
		// An unquoted value that ended its word may have been the whole
		// password: it does not run on into a command's name or a flag.
		// (An open quote, or user info whose "@" is still to come, does.)
		if (runsOn == '=' || runsOn == '&' || runsOn == 'k') && ownWord(arg) {
			runsOn = 0
		}
		switch runsOn {
		case '@':
			at := strings.LastIndex(arg, "@")
			if at < 0 {
				add(0, len(arg))
				continue
			}
			add(0, at)
			cut(at)
		case '\'':
			end := closingQuote(arg)
			if end < 0 {
				add(0, len(arg))
				continue
			}
			add(0, end)
			cut(end + 1)
		case 'k':
			// "password" "=" "value", or "password" "=value": the shell's
			// words of "password = value".
			if rest := strings.TrimLeft(arg, " \t"); strings.HasPrefix(rest, "=") {
				cut(len(arg) - len(rest) + 1)
				value := strings.TrimLeft(arg, " \t")
				cut(len(arg) - len(value))
				if arg == "" {
					runsOn = '='
					continue
				}
				// The value read as the settings below read one:
				// offsets count from base, moved back by the key put
				// before it.
				arg = "password=" + arg
				base -= len("password=")
			}
		case '=', '&':
			// A word that starts settings of its own ends it.
			if !settingStart.MatchString(arg) && !strings.Contains(arg, "://") {
				end := len(arg)
				if runsOn == '&' {
					if amp := strings.IndexByte(arg, '&'); amp >= 0 {
						end = amp
					}
				} else if next := nextSetting.FindStringIndex(arg); next != nil {
					end = next[0]
				}
				add(0, end)
				if end == len(arg) {
					continue
				}
				cut(end)
			}
		}
		runsOn = 0
		if i := strings.Index(arg, "://"); i >= 0 {
			rest := arg[i+3:]
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				// The user info runs to the last "@": a password may hold
				// one, and a space, so that the last "@" stands in a later
				// word.
				if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
					if anAtLater(k) {
						add(i+3+colon+1, len(arg))
						runsOn = '@'
					} else {
						add(i+3+colon+1, i+3+at)
					}
				}
			} else if host, _, _ := strings.Cut(rest, "/"); strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
				// user:password without its "@", which then stands in a
				// later word; or host:port, whose port is a number (or an
				// IPv6 address in brackets).
				colon := strings.IndexByte(host, ':')
				if port := host[colon+1:]; port != "" && strings.Trim(port, "0123456789") != "" && anAtLater(k) {
					add(i+3+colon+1, len(arg))
					runsOn = '@'
				}
			}
		}
		for _, m := range argPasswordField.FindAllStringIndex(arg, -1) {
			value := arg[m[1]:]
			switch {
			case strings.HasPrefix(value, "'"):
				if end := closingQuote(value[1:]); end >= 0 {
					add(m[1]+1, m[1]+1+end)
				} else {
					add(m[1]+1, len(arg))
					runsOn = '\''
				}
			case strings.Contains(arg[:m[0]], "?"):
				// A URL's parameter runs to the next one.
				pw, _, found := strings.Cut(value, "&")
				add(m[1], m[1]+len(pw))
				if !found && runsOn == 0 && !strings.ContainsAny(args[k], " \t\n") {
					runsOn = '&'
				}
			default:
				// Unquoted, a value ends at a space; but one with a space
				// in it runs to the next setting.
				next := nextSetting.FindStringIndex(value)
				if next != nil {
					value = value[:next[0]]
				}
				add(m[1], m[1]+len(strings.TrimRight(value, " \t\n")))
				// Settings with a space in them were quoted whole: the
				// shell split nothing off them.
				if next == nil && runsOn == 0 && !strings.ContainsAny(args[k], " \t\n") {
					runsOn = '='
				}
			}
		}
		if runsOn == 0 && passwordKeyLast.MatchString(arg) {
			runsOn = 'k'
		}
	}
	return out
}

// closingQuote is the index of the quote that ends a single-quoted value
// in s (its opening quote already read), a quote escaped with a backslash
// being part of the value; -1 if s has none.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'':
			return i
		}
	}
	return -1
}

var (
	argPasswordField = regexp.MustCompile(`(?i)password\s*=\s*`)
	passwordKeyLast  = regexp.MustCompile(`(?i)(^|\s)password\s*$`)
	nextSetting      = regexp.MustCompile(`\s+[A-Za-z_]+\s*=`)
	settingStart     = regexp.MustCompile(`^[A-Za-z_]+\s*=`)
)

// minPasswordInWords is the shortest password replaced wherever it occurs.
const minPasswordInWords = 6
