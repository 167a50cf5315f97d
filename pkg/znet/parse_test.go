package znet

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParsePinStatus(t *testing.T) {
	tests := []struct {
		name string
		body string
		want PinStatus
	}{
		// The examples of the API document.
		{"done", "OK|2|AB12-CD34-EF56-GH78|Açıklama", PinStatus{StatusDone, "AB12-CD34-EF56-GH78", "Açıklama"}},
		{"waiting, blank PIN", "OK|1| |Açıklama", PinStatus{StatusWaiting, "", "Açıklama"}},
		{"waiting, dash PIN", "OK|1| - |Açıklama", PinStatus{StatusWaiting, "", "Açıklama"}},
		{"cancelled", "OK|3| |Açıklama", PinStatus{StatusCancelled, "", "Açıklama"}},

		{"windows-1254", "OK|2|X|\xdd\xfelem tamamland\xfd", PinStatus{StatusDone, "X", "İşlem tamamlandı"}},
		{"windows-1254 cancelled", "OK|3| |\xdd\xfelem iptal edildi", PinStatus{StatusCancelled, "", "İşlem iptal edildi"}},
		{"undefined windows-1254 byte", "OK|1| |a\x81b", PinStatus{StatusWaiting, "", "a\ufffdb"}},
		{"utf-8 kept as is", "OK|2|P|İşlem tamamlandı", PinStatus{StatusDone, "P", "İşlem tamamlandı"}},
		{"CRLF at the end", "OK|2|AB12|İşlem tamamlandı\r\n", PinStatus{StatusDone, "AB12", "İşlem tamamlandı"}},
		{"whitespace everywhere", "\r\n \tOK | 2 |\tAB12 \r| desc \r\n\n", PinStatus{StatusDone, "AB12", "desc"}},
		{"BOM", "\xef\xbb\xbfOK|1| |x", PinStatus{StatusWaiting, "", "x"}},
		{"BOM before windows-1254", "\xef\xbb\xbfOK|1| |\xfe", PinStatus{StatusWaiting, "", "ş"}},
		{"description with pipes", "OK|2|P|a|b||c", PinStatus{StatusDone, "P", "a|b||c"}},
		{"lower-case ok", "ok|2|P|d", PinStatus{StatusDone, "P", "d"}},
		{"waiting without fields", "OK|1", PinStatus{StatusWaiting, "", ""}},
		{"cancelled without fields", "OK|3\r\n", PinStatus{StatusCancelled, "", ""}},
		{"cancelled without description", "OK|3| ", PinStatus{StatusCancelled, "", ""}},
		{"done with empty PIN (top-up)", "OK|2||Yüklendi", PinStatus{StatusDone, "", "Yüklendi"}},
		{"done, PIN only", "OK|2|P", PinStatus{StatusDone, "P", ""}},
		{"NUL bytes removed", "OK|2|AB\x00CD|de\x00sc\x00", PinStatus{StatusDone, "ABCD", "desc"}},
		{"control characters become spaces", "OK|1| |a\x1b[31mb\nc", PinStatus{StatusWaiting, "", "a [31mb c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePinStatus([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePinStatus(%q) error: %v", tt.body, err)
			}
			if got != tt.want {
				t.Errorf("ParsePinStatus(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestParsePinStatusFaults(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		kind     Kind
		code     string
		message  string // for rejections
		contains string // in Error()
	}{
		{"rejected", "3|Açıklama", KindRejected, "3", "Açıklama", "znet rejected the request: 3|Açıklama"},
		{"rejected, windows-1254", "3|Kay\xfdt bulunamad\xfd\r\n", KindRejected, "3", "Kayıt bulunamadı", "3|Kayıt bulunamadı"},
		{"rejected, other code", " 12 |Bakım | var", KindRejected, "12", "Bakım | var", ""},
		{"rejected, no message", "3|", KindRejected, "3", "", ""},
		{"empty", "", KindUnauthorized, "", "", "empty body: dealer code, password or whitelisted IP is wrong"},
		{"whitespace only", " \r\n\t", KindUnauthorized, "", "", ""},
		{"BOM only", "\xef\xbb\xbf", KindUnauthorized, "", "", ""},
		{"NUL only", "\x00", KindUnintelligible, "", "", ""},
		{"HTML", "<!DOCTYPE html><html><body>Not found</body></html>", KindWrongBaseURL, "", "", "HTML page: the base URL is probably wrong"},
		{"HTML lower case after blank", "\r\n  <html><head>", KindWrongBaseURL, "", "", ""},
		{"PHP warning and no answer", "<br />\n<b>Warning</b>: mysql_connect()", KindUnintelligible, "", "", ""},
		{"PHP warning before a rejection", "<br />\n<b>Notice</b>: x on line 3<br />\n3|Kayıt bulunamadı", KindRejected, "3", "Kayıt bulunamadı", ""},
		{"garbage", "Bakım çalışması", KindUnintelligible, "", "", "not a znet answer"},
		{"no OK, code not numeric", "HATA|x", KindUnintelligible, "", "", ""},
		{"code without message", "3", KindUnintelligible, "", "", ""},
		{"OK alone", "OK", KindUnintelligible, "", "", "without an order status"},
		{"OK, empty status", "OK||x|y", KindUnintelligible, "", "", "other than 1, 2 or 3"},
		{"unknown status", "OK|4| |x", KindUnintelligible, "", "", ""},
		{"padded status", "OK|02|P|x", KindUnintelligible, "", "", ""},
		{"done without PIN field", "OK|2", KindUnintelligible, "", "", "sent no PIN field"},
		{"over-long", "OK|1| |" + strings.Repeat("a", MaxBodyBytes), KindUnintelligible, "", "", "more than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParsePinStatus([]byte(tt.body))
			e := asError(t, err)
			if e.Kind != tt.kind || e.Op != OpCheckPin {
				t.Fatalf("got kind %v op %q (%v), want %v %q", e.Kind, e.Op, err, tt.kind, OpCheckPin)
			}
			if ps != (PinStatus{}) {
				t.Errorf("got %+v with an error, want the zero PinStatus", ps)
			}
			if tt.kind == KindRejected && (e.Code != tt.code || e.Message != tt.message) {
				t.Errorf("got code %q message %q, want %q %q", e.Code, e.Message, tt.code, tt.message)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("Error() = %q, want it to contain %q", err, tt.contains)
			}
		})
	}
}

// Old PHP panels print warnings before the answer; the answer still counts,
// and the panel is not taken for a wrong base URL.
func TestPHPWarningBeforeTheAnswer(t *testing.T) {
	for _, body := range []string{
		"<br />\n<b>Deprecated</b>: mysql_connect(): The mysql extension is deprecated in <b>/home/bayi/servis/pin_kontrol.php</b> on line <b>12</b><br />\nOK|2|AB12-CD34-EF56-GH78|İşlem tamamlandı",
		"\nWarning: session_start(): open failed in /tmp on line 3\r\nOK|2|AB12-CD34-EF56-GH78|İşlem tamamlandı\r\n",
	} {
		ps, err := ParsePinStatus([]byte(body))
		if err != nil || ps.Status != StatusDone || ps.PIN != "AB12-CD34-EF56-GH78" || ps.Description != "İşlem tamamlandı" {
			t.Errorf("ParsePinStatus(%q) = %+v, %v; want the done answer after the warning", body, ps, err)
		}
	}
}

// "3|..." is about the request, "OK|3|..." about the order: mixing them up
// cancels a good order.
func TestRejectionIsNotCancellation(t *testing.T) {
	ps, err := ParsePinStatus([]byte("OK|3| |İptal"))
	if err != nil || ps.Status != StatusCancelled {
		t.Errorf("OK|3: got %+v, %v; want cancelled", ps, err)
	}
	ps, err = ParsePinStatus([]byte("3|İptal"))
	if k, _ := KindOf(err); k != KindRejected || ps.Status != 0 {
		t.Errorf("3|: got %+v, %v; want a rejection and no status", ps, err)
	}
}

func TestLongRejectionIsTruncated(t *testing.T) {
	_, err := ParsePinStatus([]byte("3|" + strings.Repeat("ş", 1000)))
	e := asError(t, err)
	if n := utf8.RuneCountInString(e.Message); n != maxMessageRunes || !strings.HasSuffix(e.Message, "…") {
		t.Errorf("message has %d runes (%q...), want %d ending in an ellipsis", n, e.Message[:20], maxMessageRunes)
	}
}

func TestParseBalance(t *testing.T) {
	ok := map[string]string{
		"OK|12755.23":         "12755.23",
		" OK | 12755.23 \r\n": "12755.23",
		"OK|100":              "100",
		"OK|-5.10":            "-5.10",
		"OK|0":                "0",
	}
	for body, want := range ok {
		got, err := ParseBalance([]byte(body))
		if err != nil || got != want {
			t.Errorf("ParseBalance(%q) = %q, %v; want %q", body, got, err, want)
		}
	}
	bad := map[string]Kind{
		"":              KindUnauthorized,
		"<html>":        KindWrongBaseURL,
		"3|Yetkisiz":    KindRejected,
		"OK":            KindUnintelligible,
		"OK|":           KindUnintelligible,
		"OK|12,755.23":  KindUnintelligible,
		"OK|12755.23|x": KindUnintelligible,
		"OK|abc":        KindUnintelligible,
		"OK|1e5":        KindUnintelligible,
		"OK|.5":         KindUnintelligible,
		"OK|5.":         KindUnintelligible,
		"OK|-":          KindUnintelligible,
		"12755.23":      KindUnintelligible,
	}
	for body, want := range bad {
		got, err := ParseBalance([]byte(body))
		e := asError(t, err)
		if e.Kind != want || e.Op != OpBalance || got != "" {
			t.Errorf("ParseBalance(%q) = %q, %v (%v); want kind %v", body, got, err, e.Kind, want)
		}
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{StatusWaiting: "waiting", StatusDone: "done", StatusCancelled: "cancelled", 0: "Status(0)", 9: "Status(9)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("err = %#v, want a *znet.Error", err)
	}
	return e
}

func BenchmarkParsePinStatus(b *testing.B) {
	bodies := map[string][]byte{
		"utf8":         []byte("OK|2|AB12-CD34-EF56-GH78|İşlem tamamlandı\r\n"),
		"windows-1254": []byte("OK|2|AB12-CD34-EF56-GH78|\xdd\xfelem tamamland\xfd\r\n"),
	}
	for name, body := range bodies {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParsePinStatus(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
