package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// A shop's database need not be UTF-8: a Turkish shop's may be LATIN5
// (ISO 8859-9) or WIN1254. The server converts what zwatch sends to its
// encoding, and fails the whole statement on a character the encoding has
// no room for. znet's texts hold such characters (Windows-1254's “ ” – …
// are not in ISO 8859-9), and so does zwatch's own mask of a PIN (•): one
// such answer failed its batch's save, run after run, and its PIN was never
// delivered. So the texts zwatch writes are first fitted to the server's
// encoding: each character it cannot hold becomes its nearest in ASCII.
// The multi-byte encodings other than UTF-8 (EUC_*, MULE_INTERNAL), which
// a shop selling Turkish PINs is unlikely to have but may, are taken to
// hold ASCII alone: which other characters each holds is no business of
// zwatch's, and a PIN outside ASCII is left for a person there.

// charmapOf is each single-byte server encoding PostgreSQL has, as
// SHOW server_encoding names it. UTF8 and SQL_ASCII store any text.
var charmapOf = map[string]*charmap.Charmap{
	"LATIN1": charmap.ISO8859_1, "LATIN2": charmap.ISO8859_2, "LATIN3": charmap.ISO8859_3,
	"LATIN4": charmap.ISO8859_4, "LATIN5": charmap.ISO8859_9, "LATIN6": charmap.ISO8859_10,
	"LATIN7": charmap.ISO8859_13, "LATIN8": charmap.ISO8859_14, "LATIN9": charmap.ISO8859_15,
	"LATIN10": charmap.ISO8859_16, "ISO_8859_5": charmap.ISO8859_5, "ISO_8859_6": charmap.ISO8859_6,
	"ISO_8859_7": charmap.ISO8859_7, "ISO_8859_8": charmap.ISO8859_8,
	"WIN1250": charmap.Windows1250, "WIN1251": charmap.Windows1251, "WIN1252": charmap.Windows1252,
	"WIN1253": charmap.Windows1253, "WIN1254": charmap.Windows1254, "WIN1255": charmap.Windows1255,
	"WIN1256": charmap.Windows1256, "WIN1257": charmap.Windows1257, "WIN1258": charmap.Windows1258,
	"WIN866": charmap.CodePage866, "WIN874": charmap.Windows874, "KOI8R": charmap.KOI8R, "KOI8U": charmap.KOI8U,
}

// asciiFor is the ASCII written for a character the encoding lacks; any
// other is "?".
var asciiFor = map[rune]string{
	'•': "*", '…': "...", '“': `"`, '”': `"`, '„': `"`, '«': `"`, '»': `"`, '″': `"`,
	'‘': "'", '’': "'", '‚': "'", '′': "'", '–': "-", '—': "-", '−': "-", '‐': "-",
	'€': "EUR", '\u00a0': " ", '\u2009': " ", '\u202f': " ",
}

// holdsOf is what the server encoding named holds: nil, any text.
func holdsOf(name string) func(rune) bool {
	switch name = strings.ToUpper(name); {
	case name == "UTF8" || name == "SQL_ASCII":
		return nil
	case charmapOf[name] != nil:
		cm := charmapOf[name]
		return func(r rune) bool { _, ok := cm.EncodeRune(r); return ok }
	}
	return func(r rune) bool { return r < utf8.RuneSelf }
}

// textFitter fits the texts zwatch writes to the shop's columns in the
// server's encoding: each character the encoding cannot hold becomes its
// nearest in ASCII (holds; nil holds any), and in SQL_ASCII, where a
// varchar's length is counted in bytes, not characters, a text is cut to
// as many bytes as the column takes characters (bytes). cols are the
// columns' sizes (the zero value: the schema's).
type textFitter struct {
	holds func(rune) bool
	bytes bool
	cols  columnSizes
}

// fit is s fitted to the encoding and to a varchar(max) column of the shop.
func (f textFitter) fit(s string, max int) string {
	s = FitColumn(fitEncoding(s, f.holds), max)
	if f.bytes {
		for len(s) > max {
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
	}
	return s
}

// pinUnfit says why znet's PIN does not fit "pinCode" whole, as stored:
// more characters than the column takes, or more bytes under SQL_ASCII, or
// longer than zwatch saves; "" where it fits.
func (f textFitter) pinUnfit(pin string) string {
	pin, column := cleanText(pin), f.cols.pinCode()
	n := utf8.RuneCountInString(pin)
	switch {
	case n > column:
		return fmt.Sprintf("znet's PIN has %d characters, more than the %d the shop's pinCode column takes", n, column)
	case f.bytes && len(pin) > column:
		return fmt.Sprintf("znet's PIN takes %d bytes, more than the %d the shop's pinCode column takes "+
			"(its database is SQL_ASCII, which counts a varchar's length in bytes)", len(pin), column)
	case n > LongestPIN:
		return fmt.Sprintf("znet's PIN has %d characters, more than the %d zwatch saves of a PIN "+
			"(znet's words, saved with it, are masked for sure only of a PIN that long)", n, LongestPIN)
	}
	return ""
}

// encodingFitter is the fitter of the server's encoding (nil charmap: any
// text is stored as it is, or the encoding could not be read this time),
// read until it could be once: a read that failed (the database restarting
// at the first save) must not leave a long run without it.
func (s *Store) encodingFitter(ctx context.Context) textFitter {
	s.encodingMu.Lock()
	defer s.encodingMu.Unlock()
	if !s.encodingRead {
		var name string
		if err := s.db.GetContext(ctx, &name, `SHOW server_encoding`); err == nil {
			s.encoding, s.encodingBytes, s.encodingRead = holdsOf(name), strings.EqualFold(name, "SQL_ASCII"), true
		}
	}
	return textFitter{holds: s.encoding, bytes: s.encodingBytes}
}

// fitEncoding is text with each character the encoding cannot hold
// (holds; nil holds any) replaced by its nearest in ASCII: a letter
// without its accent ("ş" s, "İ" I, "ı" i), punctuation as asciiFor
// writes it, anything else "?".
func fitEncoding(text string, holds func(rune) bool) string {
	if holds == nil || !strings.ContainsFunc(text, func(r rune) bool { return !holds(r) }) {
		return text
	}
	var b strings.Builder
	for _, r := range text {
		switch base := unaccented(r); {
		case holds(r):
			b.WriteRune(r)
		case asciiFor[r] != "":
			b.WriteString(asciiFor[r])
		case base != 0:
			b.WriteRune(base)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// unaccented is the ASCII letter r is with its accents taken off, or 0.
func unaccented(r rune) rune {
	if r == 'ı' {
		return 'i'
	}
	base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
	if base >= utf8.RuneSelf || !unicode.IsLetter(base) || base == r {
		return 0
	}
	return base
}

// shopText is a text read from the shop's database, sent back inside a
// statement's JSON as the hex of its bytes (referansFromHexSQL reads it): a
// database in SQL_ASCII holds bytes that are no UTF-8 (a no-break space
// pasted after a referans), which JSON would carry as U+FFFD, which is
// neither the text nor anything such a database takes in JSON.
type shopText string

func (t shopText) MarshalJSON() ([]byte, error) {
	return json.Marshal(hex.EncodeToString([]byte(t)))
}

// referansFromHexSQL is the referans whose hex a statement's JSON input r
// holds (referans_hex), in the bytes the session reads and writes: UTF-8,
// or the bytes as they are in a database in SQL_ASCII
// (rawBytesFromSQLASCII).
const referansFromHexSQL = `convert_from(decode(r.referans_hex, 'hex'), current_setting('client_encoding')::name)`

// heldPINFromHexSQL is the held PIN whose hex the apply's input r holds
// (held_pin_hex), read as referansFromHexSQL reads the referans.
const heldPINFromHexSQL = `convert_from(decode(r.held_pin_hex, 'hex'), current_setting('client_encoding')::name)`
