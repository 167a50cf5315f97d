// Package znet talks to a znet dealer panel: order (PIN) status and balance.
// It knows nothing of any database; every failure is an *Error whose Kind
// tells the caller what to do. Neither an error nor any field of an answer
// ever carries the dealer password, which znet wants in the query string and
// panels are apt to echo back.
package znet

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Client calls one znet panel with one dealer's credentials. It is safe for
// concurrent use, but znet panels are small shared-hosting sites: pacing the
// calls is the caller's job.
type Client struct {
	base       *url.URL
	dealerCode string
	password   string
	scrubber   *scrubber // finds the password in whatever the panel sends back
	http       *http.Client
}

// NewClient checks the integration's settings and returns a client for them.
// baseURL is the panel's root, e.g. "http://bayi.example.com.tr/". A nil
// httpClient gets a private one with timeouts suited to slow panels.
func NewClient(baseURL, dealerCode, password string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	scrubber := newScrubber(password)
	refuse := func(problem string) error {
		if shown := baseURLShown(baseURL, password); shown != "" {
			return fmt.Errorf("znet base URL %q %s", scrubber.scrub(shown), problem)
		}
		return fmt.Errorf("znet base URL %s (not quoted: it may hold the password)", problem)
	}
	switch {
	case strings.TrimSpace(baseURL) == "":
		return nil, errors.New("znet base URL is empty: the integration's baseUrl must be the panel's address, http:// or https://")
	case err != nil:
		return nil, refuse("is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, refuse("must start with http:// or https://")
	case u.Host == "":
		return nil, refuse("has no host name")
	case u.User != nil:
		return nil, refuse("must not contain a user name or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, refuse("must not have a query string or fragment: the client adds its own")
	case strings.TrimSpace(dealerCode) == "":
		return nil, errors.New("znet dealer code is empty")
	case password == "":
		return nil, errors.New("znet password is empty")
	}
	if httpClient == nil {
		httpClient = NewHTTPClient(4, 0)
	}
	// The password is in the query string, and a redirect would carry it to
	// whatever host the panel names: a client of this package never follows
	// one, whichever http.Client it was given. A copy keeps the caller's.
	noRedirects := *httpClient
	noRedirects.CheckRedirect = refuseRedirect
	transport := httpClient.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	noRedirects.Transport = noLocation{next: transport}
	return &Client{base: u, dealerCode: strings.TrimSpace(dealerCode), password: password, scrubber: scrubber, http: &noRedirects}, nil
}

// baseURLShown is what a refusal of baseURL quotes of it: its scheme and
// host, and a mark of what follows ("/...", "?..."), where the host
// stands plainly as one after a scheme of the web's; "" where it does
// not. An operator may paste the password into the URL, and a character
// that splits it ('@', '?', '#', '/', a space, one url.Parse refuses)
// leaves pieces of it that are no whole password a scrubber finds: so
// nothing but a plain host name, with a dot in it, and a port is ever
// quoted, and none of it that shares four characters in a row with the
// password (a port, a scheme or a host name).
func baseURLShown(baseURL, password string) string {
	raw := strings.TrimSpace(baseURL)
	scheme := webScheme.FindString(raw)
	authority, path, hasPath := strings.Cut(raw[len(scheme):], "/")
	user := ""
	if i := strings.LastIndexByte(authority, '@'); i >= 0 && scheme != "" {
		user, authority = "...@", authority[i+1:]
	}
	host, more := authority, ""
	if i := strings.IndexAny(authority, "?#"); i >= 0 {
		host, more = authority[:i], authority[i:i+1]+"..."
	}
	if !plainHost.MatchString(host) || sharesFourInARow(scheme+host, password) {
		return ""
	}
	switch {
	case more != "":
	case hasPath && path != "":
		more = "/..."
	case hasPath:
		more = "/"
	}
	return scheme + user + host + more
}

// sharesFourInARow says whether s and password have four characters in a
// row in common, in any letter case.
func sharesFourInARow(s, password string) bool {
	s, password = strings.ToLower(s), strings.ToLower(password)
	for i := 0; i+4 <= len(password); i++ {
		if strings.Contains(s, password[i:i+4]) {
			return true
		}
	}
	return len(password) < 4 && strings.Contains(s, password)
}

// webScheme is a scheme an operator may mistype a base URL with, and its
// "://"; plainHost a host name with a dot in it, or an IP address, and a
// port.
var (
	webScheme = regexp.MustCompile(`^(?i:https?|ftps?|wss?)://`)
	plainHost = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|localhost|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)
)

// refuseRedirect hands the 3xx answer back to the client, which reads it as
// a wrong base URL: znet's API never redirects, a misconfigured address
// (http for https, a missing www) does.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// noLocation takes the Location off a redirect before the http.Client sees
// it. The client parses a Location before it asks CheckRedirect, and one
// that does not parse comes back as an error quoting it whole: a panel's
// login page may send the request back to itself with its address in a
// parameter ("?r=" and base64 of the URL), password and all, which no
// scrubber of the password's own forms finds. A redirect without a
// Location is handed back as it is, and read as a wrong base URL.
type noLocation struct{ next http.RoundTripper }

func (t noLocation) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if resp != nil && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		resp.Header.Del("Location")
	}
	return resp, err
}

// CloseIdleConnections passes http.Client's on to the transport below.
func (t noLocation) CloseIdleConnections() {
	if closer, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

// NewHTTPClient returns an HTTP client suited to znet panels: small PHP sites
// on shared hosting, slow at times. Clients of several panels may share it;
// maxIdlePerPanel connections per panel stay open between requests. timeout
// is the longest one request may take, the operator's --timeout, which the
// caller's context usually enforces first; 0 is a minute: panels answer in
// seconds when they are slow, and a minute means stuck.
func NewHTTPClient(maxIdlePerPanel int, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = time.Minute
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
			// Go's default, 10 MB, let one hostile panel's answers take
			// 57 MB each, hundreds at --concurrency 8.
			MaxResponseHeaderBytes: MaxHeaderBytes,
			MaxIdleConnsPerHost:    maxIdlePerPanel,
			// Shorter than the keep-alive of the web servers panels run on
			// (Apache's and LiteSpeed's 5 s): a connection the panel may
			// be closing as a request goes out on it fails the request,
			// which is not repeated (see call).
			IdleConnTimeout: 3 * time.Second,
		},
		Timeout:       timeout,
		CheckRedirect: refuseRedirect,
	}
}

// MaxHeaderBytes bounds an answer's headers, as MaxBodyBytes its body: a
// PHP panel's are a few hundred bytes, cookies and all.
const MaxHeaderBytes = 64 << 10

// ReferansSpace is the white space trimmed off a referans before znet is
// asked about it: the shop's database trims the same (store's referansSQL),
// so that the orders zwatch tells apart are the ones znet tells apart.
// Other space (a no-break space) is sent as it is, and znet, finding no
// such order, says so.
const ReferansSpace = " \t\n\f\r"

// phpNumber is a text PHP's intval reads a number from.
var phpNumber = regexp.MustCompile(`^[ \t\n\v\f\r]*[+-]?[0-9]`)

// ErrReferansUnusable is a referans CheckPin does not ask znet about: the
// request never left.
var ErrReferansUnusable = errors.New("znet was not asked: the order's referans cannot be asked about")

// referansError is a referans not asked about, said as what is wrong with it.
type referansError string

func (e referansError) Error() string      { return string(e) }
func (referansError) Is(target error) bool { return target == ErrReferansUnusable }

// ReferansUsable says why CheckPin would not ask znet about referans
// (an error matching ErrReferansUnusable); nil when it would.
func ReferansUsable(referans string) error {
	referans = strings.Trim(referans, ReferansSpace)
	if referans == "" {
		return referansError("znet order reference (referans) is empty")
	}
	// PHP reads a number from the digits at a text's start, after white
	// space and a sign (intval): one without is order 0 to a panel, for
	// every such referans alike, and its answer would be another order's.
	if !phpNumber.MatchString(referans) {
		return referansError(fmt.Sprintf("znet order reference (referans) %q is no number: znet, reading it as PHP does, would take it for order 0 and answer about another order; correct the order's referans", referans))
	}
	// "0", "-0" and "0x1F" are order 0 alike, and "-7" and "-07" order -7:
	// no order the shop sent has such a number, and the answer would be
	// every such order's (a placeholder written before the order was
	// sent, say), which the guard against two orders sharing a referans
	// (ReferansNumber) does not read alike.
	if phpBelowOne.MatchString(referans) {
		return referansError(fmt.Sprintf("znet order reference (referans) %q is order 0 or below to znet, reading it as PHP does, which no order sent to it has: its answer would be another order's; correct the order's referans", referans))
	}
	return nil
}

// phpBelowOne is a text PHP's intval reads as 0 or a negative number,
// although it starts as a number does.
var phpBelowOne = regexp.MustCompile(`^[ \t\n\v\f\r]*(?:-|\+?0+(?:[^0-9]|$))`)

// ReferansNumber is the znet order a referans names, as a PHP panel reads
// it (intval, or MySQL comparing it with an integer column): the digits at
// its start, after white space and a "+", leading zeros dropped, so that
// "04300", "+4300" and "4300-2" are all order 4300; a referans that does
// not start so, as it is. store's referansKeySQL reads it the same way:
// change both together.
func ReferansNumber(referans string) string {
	if m := referansNumber.FindStringSubmatch(referans); m != nil {
		return m[1]
	}
	return referans
}

var referansNumber = regexp.MustCompile(`^[ \t\n\f\r\v]*\+?0*([0-9]+)`)

// CheckPin asks znet for the state of the order placed with referans, the
// numeric id the shop sent to pin_ekle.php.
func (c *Client) CheckPin(ctx context.Context, referans string) (PinStatus, error) {
	if err := ReferansUsable(referans); err != nil {
		return PinStatus{}, err
	}
	referans = strings.Trim(referans, ReferansSpace)
	var ps PinStatus
	err := c.call(ctx, OpCheckPin, url.Values{"tahsilat_api_islem_id": {referans}}, func(body []byte) (err error) {
		ps, err = parsePinStatus(body, c.scrubber)
		if err == nil && ps.Status == StatusDone && echoesRequest(ps.PIN, referans, c.dealerCode, c.password) {
			ps, err = PinStatus{}, unusable("znet's PIN field holds the request's own values (the order's referans, the dealer code or the password), not a PIN; the answer is not used")
		}
		// The request printed where a code is held back is none: masked,
		// the words lost the order's own number (helper-365).
		ps.Withheld = slices.DeleteFunc(ps.Withheld, func(code string) bool { return requestOnly(code, referans, c.dealerCode) })
		return err
	})
	return ps, err
}

// echoesRequest says whether a done answer's PIN is the request's own
// values, as a panel that prints its input where its row is missing
// writes them: the referans, the dealer code or the password, whatever
// separates their letters and digits; each word of the field one of them
// or a word that labels them ("4821 1001", "bayi7:1001", "kod=bayi7
// id=1001", "4821 5678 1001"). A short password inside a PIN is taken for
// a coincidence where it parts from the PIN's other characters as a PIN's
// groups do (answer.value), but not when every other word is the request's
// too: the customer would be given the dealer's password. Or the
// dealer code as a word beside others ("bayi-42 1234"), where it holds a
// letter and something else, so that it is neither a PIN's group of
// digits by chance ("4821 5678 9012 3456") nor a label ("EPIN AB12-…");
// or the referans as the field's first or last word beside a code.
func echoesRequest(pin, referans, dealerCode, password string) bool {
	folded := func(s string) string { return strings.Map(foldedRune, s) }
	// The referans as sent, and as the panel read it ("04300" as 4300,
	// "1733829183-2" as 1733829183; helper-362): a panel printing its
	// input prints the number it looked up.
	number := folded(ReferansNumber(referans))
	values := []string{folded(referans), number, folded(dealerCode), folded(password)}
	if f := folded(pin); f == "" || slices.Contains(values, f) {
		return f != ""
	}
	words := strings.FieldsFunc(pin, func(r rune) bool { return !isLetterOrDigit(r) && r != '-' && r != '_' })
	named := false
	isValue := func(word string) bool {
		v := folded(word)
		return v != "" && slices.Contains(values, v)
	}
	// A dealer code may hold a dash ("bayi-42"), and a panel may join the
	// values with them ("4471-5678-1001").
	requestWord := func(word string) bool {
		parts := strings.FieldsFunc(word, func(r rune) bool { return r == '-' || r == '_' })
		return isValue(word) || len(parts) > 1 && !slices.ContainsFunc(parts, func(part string) bool { return !isValue(part) })
	}
	allRequest := !slices.ContainsFunc(words, func(word string) bool {
		if requestWord(word) {
			named = true
			return false
		}
		return !requestLabel[strings.ToLower(word)]
	})
	if allRequest && named {
		return true
	}
	// The password as a word of its own right beside the referans or the
	// dealer code, whatever else the panel printed with them ("HATA 4471
	// 5678 1001", "4471 5678 1001 14:32:05"; helper-356): two words, so
	// that a dealer code that is its password too refuses no PIN with a
	// group of it (helper-358). A password with punctuation spans words
	// ("ab-12"). A value of one character, which any PIN's group may be
	// beside, counts for none (helper-359). A PIN holding both side by
	// side by chance is one in many millions.
	counts := func(v string) bool { return utf8.RuneCountInString(v) >= 2 }
	if pw := folded(password); counts(pw) {
		// Whole words of the field, the password's and a value's, side by
		// side or glued ("bayi7Gizli-99", "10013829"), the referans as sent
		// with its suffix ("HATA 1733829183-2 3829", two words by its
		// dash), or with a word of one character between ("HATA 1001 x
		// 3829"; helper-368). Whole words: read across a PIN's groups, the
		// digits of "6214-2122-3829-6745" held the referans 12 beside the
		// password 3829, and up to 1 real PIN in 400 was refused
		// (helper-369). The referans as read counts as the referans as sent
		// does: a PIN with both as groups side by side by chance ("1001
		// 3829 5678 9012" for "1001-2") is held for a person, where any
		// rule that let it through let an echo through too (helper-366,
		// helper-367), the password then the customer's PIN.
		if besideWords(pin, []rune(pw), []string{folded(referans), number, folded(dealerCode)}) {
			return true
		}
	}
	mixed := strings.ContainsFunc(dealerCode, unicode.IsLetter) && strings.ContainsFunc(dealerCode, func(r rune) bool { return !unicode.IsLetter(r) })
	// The dealer code with its own marks ("bayi-42"), letter case and the
	// Turkish i's aside: without them it is a PIN's group by chance ("X7K2"
	// of the code "x7-k2"; helper-365).
	upper := func(s string) string {
		return strings.Map(func(r rune) rune {
			if f := foldedRune(r); f >= 0 {
				return f
			}
			return r
		}, s)
	}
	// A label's marks around it ("BAYİ-7:", "(bayi-7)") are no part of it
	// (helper-366).
	asDealerCode := func(word string) bool { return upper(strings.Trim(word, labelMarks)) == upper(dealerCode) }
	return referansBeside(strings.Fields(pin), folded(referans)) || referansBeside(strings.Fields(pin), number) ||
		mixed && slices.ContainsFunc(strings.Fields(pin), asDealerCode)
}

// labelMarks are what a panel writes around a value it labels or lists.
const labelMarks = `.,;:()[]#"'`

// besideWords says whether a value of two characters or more and pw stand
// side by side in field, on its words folded (foldedRune): the value's
// words then the password's, or the other way, with a word of one
// character between or none, or glued where the word they meet in holds
// the whole of one of them and is of more than six characters
// ("10013829", "bayi7Gizli-99": "1212" and "123-412" are a PIN's
// groups). Their ends are where words of the field end, however many
// words they take. In time linear in the field, for values and password as
// short as the shop's settings are.
func besideWords(field string, pw []rune, values []string) bool {
	var joined []rune
	var word, wordLen []int // the word each rune of joined is in; each word's runes
	boundary := []bool{}    // boundary[i]: a word starts before joined[i]
	for k, w := range strings.FieldsFunc(field, func(r rune) bool { return !isLetterOrDigit(r) }) {
		runes := []rune(strings.Map(foldedRune, w))
		for j, r := range runes {
			boundary = append(boundary, j == 0)
			joined, word = append(joined, r), append(word, k)
		}
		wordLen = append(wordLen, len(runes))
	}
	boundary = append(boundary, true)
	at := func(i int, v []rune) bool {
		return i >= 0 && i+len(v) <= len(joined) && slices.Equal(joined[i:i+len(v)], v)
	}
	pairs := [][2][]rune{}
	for _, v := range values {
		if utf8.RuneCountInString(v) >= 2 {
			pairs = append(pairs, [2][]rune{[]rune(v), pw}, [2][]rune{pw, []rune(v)})
		}
	}
	for i := range joined {
		if !boundary[i] {
			continue
		}
		for _, p := range pairs {
			a, b := p[0], p[1]
			if !at(i, a) {
				continue
			}
			mid, end := i+len(a), i+len(a)+len(b)
			switch {
			case at(mid, b) && boundary[end] && boundary[mid]:
				return true // side by side
			case at(mid, b) && boundary[end] && (word[i] == word[mid] || word[mid] == word[end-1]) && wordLen[word[mid]] > 6:
				return true // glued
			case boundary[mid] && mid+1 < len(joined) && boundary[mid+1] && at(mid+1, b) && boundary[end+1]:
				return true // a word of one character between
			}
		}
	}
	return false
}

// foldedRune is r as echoesRequest compares the request's values: a
// letter or digit in capitals, the Turkish i's as one (PHP's strtoupper in
// a Turkish locale makes i an İ, which Go's upper case leaves; helper-362),
// anything else -1.
func foldedRune(r rune) rune {
	switch {
	case r == 'İ' || r == 'ı':
		return 'I'
	case isLetterOrDigit(r):
		return unicode.ToUpper(r)
	}
	return -1
}

// requestOnly says whether a code held back (PinStatus.Withheld) is the
// request's own values and nothing else: each word of it the referans (as
// sent, or as the panel read it), the dealer code, or the password as the
// scrubbers wrote it.
func requestOnly(code, referans, dealerCode string) bool {
	folded := func(s string) string { return strings.Map(foldedRune, s) }
	values := []string{folded(referans), folded(ReferansNumber(referans)), folded(dealerCode), redacted}
	words := strings.FieldsFunc(code, func(r rune) bool { return !isLetterOrDigit(r) })
	return len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool {
		v := folded(w)
		return v == "" || !slices.Contains(values, v)
	})
}

// referansBeside says whether a PIN field's words are a code with the
// referans printed before or after it ("AB12-CD34 1001"), which the
// customer would take for the code's first or last group. Not where the
// referans is as long as the code's groups ("1001 2345 6789 0123": a group
// by chance), nor a referans under four digits, which a product's name may
// hold ("60 UC").
func referansBeside(fields []string, referans string) bool {
	referans = strings.TrimLeft(referans, "0")
	if len(fields) < 2 || len(referans) < 4 {
		return false
	}
	for _, at := range []int{0, len(fields) - 1} {
		word := strings.TrimLeft(strings.Trim(fields[at], ".,;:#()"), "0")
		if word != referans {
			continue
		}
		others := slices.Delete(slices.Clone(fields), at, at+1)
		if !slices.ContainsFunc(others, func(w string) bool { return len(w) == len(fields[at]) }) {
			return true
		}
	}
	return false
}

// requestLabel are the words a panel labels the request's values with
// when it prints them: its parameters' names and their Turkish.
var requestLabel = map[string]bool{
	"kod": true, "bayi": true, "id": true, "no": true, "ref": true, "referans": true,
	"tahsilat_api_islem_id": true, "islem": true, "işlem": true, "siparis": true, "sipariş": true,
}

// Balance returns the dealer's balance in TRY as znet wrote it, e.g.
// "12755.23". Being cheap and side-effect free, it is the natural probe for
// "is this integration reachable and authorised?".
func (c *Client) Balance(ctx context.Context) (string, error) {
	var balance string
	err := c.call(ctx, OpBalance, url.Values{}, func(body []byte) (err error) {
		balance, err = parseBalance(body, c.scrubber)
		return err
	})
	return balance, err
}

func (c *Client) call(ctx context.Context, op string, params url.Values, parse func([]byte) error) error {
	u := c.base.JoinPath("servis", op+".php")
	params.Set("kod", c.dealerCode)
	params.Set("sifre", c.password)
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return &Error{Kind: KindWrongBaseURL, Op: op, Message: "cannot build a request for znet", Err: redact(err, c.scrubber)}
	}
	// Shared-hosting firewalls tend to block Go's default User-Agent.
	req.Header.Set("User-Agent", "zwatch")
	// A GET that fails on a kept-alive connection after it went out, Go's
	// transport sends again on its own: unseen, and outside the panel's
	// request budget, though the panel (or a firewall in front of it) may
	// have read it before hanging up. A request with a body but no GetBody
	// is one it never repeats; the body is empty, so that on the wire it
	// is the same GET. The failure is the order's, asked again in its turn.
	req.Body, req.GetBody, req.ContentLength = noBody{}, nil, 0
	// Until the request is written, nothing the panel sends can repeat it:
	// a proxy's refusal, a TLS handshake's failure are shown as Go says
	// them; only what fails after it goes through withoutPanelBytes.
	var sent atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { sent.Store(true) }}))

	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, op, 0, err, sent.Load())
	}
	defer resp.Body.Close()
	// One byte over the cap is enough to know the body is too long.
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return c.transportError(ctx, op, resp.StatusCode, err, true)
	}

	switch code := resp.StatusCode; {
	case code >= 500:
		return &Error{Kind: KindTransient, Op: op, Status: code, Message: "znet answered with a server error"}
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return &Error{Kind: KindTransient, Op: op, Status: code, Message: "znet asked zwatch to slow down"}
	case code >= 400:
		return &Error{Kind: KindWrongBaseURL, Op: op, Status: code, Message: "znet answered with an error status"}
	case code >= 300:
		return &Error{Kind: KindWrongBaseURL, Op: op, Status: code, Message: "znet redirected elsewhere (http instead of https, or a missing www?)"}
	}
	// The parsers scrub the password from the body before they read a
	// field of it, so no text of the panel's carries it any further.
	if err := parse(body); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Status = resp.StatusCode
		}
		return err
	}
	return nil
}

// withoutPanelBytes is err, unless it may quote what the panel sent: Go's
// errors for a status or header line it cannot parse, or a bad
// Content-Length, quote it whole (textproto's ProtocolError, net/http's
// badStringError), and it may carry the request, the password in it, in
// any encoding no scrubber knows (base64 in a login page's Location). Only
// errors known to quote nothing of the panel's are kept: the network's,
// TLS's, a body cut short. The others become errNotHTTP, in the url.Error
// that names the request.
func withoutPanelBytes(err error) error {
	inner := err
	requestErr, isRequestErr := err.(*url.Error)
	if isRequestErr {
		inner = requestErr.Err
	}
	var (
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		alert   tls.AlertError
		recErr  tls.RecordHeaderError
	)
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(inner, &netErr), errors.As(inner, &certErr), errors.As(inner, &alert), errors.As(inner, &recErr),
		errors.Is(inner, io.EOF), errors.Is(inner, io.ErrUnexpectedEOF), errors.Is(inner, http.ErrSchemeMismatch),
		errors.Is(inner, gzip.ErrHeader), errors.Is(inner, gzip.ErrChecksum), errors.As(inner, &corrupt),
		errors.Is(inner, context.Canceled), errors.Is(inner, context.DeadlineExceeded),
		strings.HasPrefix(inner.Error(), "net/http: request canceled"), streamReset.MatchString(inner.Error()),
		headersTooLong(inner):
		return err
	case isRequestErr:
		return &url.Error{Op: requestErr.Op, URL: requestErr.URL, Err: errNotHTTP}
	}
	return errNotHTTP
}

// headersTooLong says whether err is Go's refusal of headers over
// MaxHeaderBytes, which quotes nothing of them. It must end the error:
// Go's errors that quote a header line may quote those words too, and
// end in the line's closing quote.
func headersTooLong(err error) bool {
	return strings.HasSuffix(err.Error(), fmt.Sprintf("net/http: server response headers exceeded %d bytes; aborted", MaxHeaderBytes))
}

// errNotHTTP stands for what the panel sent where Go's error would quote it.
var errNotHTTP = errors.New("the panel's answer could not be read as HTTP (what it sent is not shown: it may repeat the request, password and all)")

// streamReset is an HTTP/2 stream's reset as Go says it: numbers and an
// error code's name, nothing of the panel's.
var streamReset = regexp.MustCompile(`^stream error: stream ID [0-9]+; [A-Z_]+(; received from peer)?$`)

// noBody is an empty request body the transport cannot read again.
type noBody struct{}

func (noBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noBody) Close() error             { return nil }

// idnLabel is a host name's label in its ASCII form ("xn--gizliifre99-vgc").
var idnLabel = regexp.MustCompile(`(?i)\bxn--[a-z0-9-]*`)

// withoutIDNLabels is err with every label in ASCII form left out of its
// text, where host is not ASCII. The resolver and the certificate check
// name such a host by that form, which holds its ASCII letters and digits
// ("GizliŞifre99" is "xn--gizliifre99-vgc"): a password pasted into the
// host is there in no form the scrubber knows.
func withoutIDNLabels(err error, host string) error {
	isASCII := strings.IndexFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) < 0
	if err == nil || isASCII || !idnLabel.MatchString(err.Error()) {
		return err
	}
	return flattened(err, idnLabel.ReplaceAllString(err.Error(), "xn--"+redacted))
}

// transportError classifies a failure to get a complete answer.
func (c *Client) transportError(ctx context.Context, op string, status int, err error, sent bool) *Error {
	shown := err
	if sent {
		shown = withoutPanelBytes(err)
	}
	e := &Error{Op: op, Status: status, Err: withoutIDNLabels(redact(shown, c.scrubber), c.base.Hostname()), Unsent: !sent}
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		alert   tls.AlertError
		recErr  tls.RecordHeaderError
		netErr  net.Error
	)
	switch {
	case ctx.Err() != nil:
		e.Kind = KindTransient
		e.Message = "znet did not answer in time"
		if errors.Is(ctx.Err(), context.Canceled) {
			e.Message = "the request to znet was cancelled"
		}
		// The transport may report a cancelled body read as something else;
		// callers still need errors.Is(err, context.DeadlineExceeded).
		if !errors.Is(e.Err, ctx.Err()) {
			e.Err = fmt.Errorf("%w (%w)", e.Err, ctx.Err())
		}
	case errors.Is(err, http.ErrSchemeMismatch):
		e.Kind = KindWrongBaseURL
		e.Message = "the znet panel speaks plain HTTP, not HTTPS"
	case errors.As(err, &dnsErr) && !dnsErr.IsNotFound:
		// A resolver that times out or fails says nothing about the panel's
		// settings; it may pass. The panel cannot be asked meanwhile, all
		// the same (IsPanelTrouble).
		e.Kind = KindTransient
		e.Message = "cannot look up the znet panel's host name"
	case errors.As(err, &dnsErr), errors.As(err, &certErr), errors.As(err, &alert), errors.As(err, &recErr),
		errors.As(err, &opErr) && opErr.Op == "dial" && !opErr.Timeout():
		e.Kind = KindUnreachable
		e.Message = "cannot connect to the znet panel"
	case errors.As(err, &netErr) && netErr.Timeout():
		e.Kind = KindTransient
		e.Message = "znet did not answer in time"
	case headersTooLong(err):
		e.Kind = KindTransient
		e.Message = fmt.Sprintf("znet answered with headers over %d KiB, which no znet answer has", MaxHeaderBytes>>10)
	default:
		e.Kind = KindTransient
		e.Message = "the connection to znet broke before the answer was complete"
	}
	return e
}
