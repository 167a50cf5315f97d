package znet

import (
	"context"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that prints its request where a PIN should be writes it as it
// read it: upper-cased in a Turkish locale (PHP's strtoupper makes i an
// İ), and the referans as the number it looked up ("04300" as 4300,
// "1733829183-2" as 1733829183). Delivered, the customer's PIN would be
// the dealer's password, or the order's own number (helper-362).
func TestTheRequestAsThePanelReadItIsNoPIN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kod, password, referans, pin string }{
		{"bayi7", "3829", "1001", "BAYİ7 3829"},
		{"bayi7", "3829", "1001", "HATA BAYİ7 3829"},
		{"bayi7", "XK42", "1001", "BAYİ7 XK42"},
		{"bayi1234", "Gizli-99", "1001", "BAYİ1234"},
		{"bayi7", "3829", "04300", "4300 3829"},
		{"bayi7", "3829", "04300", "3829 4300"},
		{"bayi7", "3829", "04300", "HATA 4300 3829"},
		{"bayi7", "3829", "1733829183-2", "1733829183 3829"},
		{"bayi7", "Gizli-99", "04300", "4300"},
		{"bayi7", "Gizli-99", "1733829183-2", "1733829183"},
	} {
		s := znettest.NewServer(tc.kod, tc.password)
		t.Cleanup(s.Close)
		c, err := NewClient(s.URL, tc.kod, tc.password, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Script(tc.referans, znettest.Done(tc.pin, "tamam"))
		if got, err := c.CheckPin(context.Background(), tc.referans); err == nil {
			t.Errorf("dealer code %q, referans %q, PIN field %q: delivered as the PIN %q; want it refused as the request's own values",
				tc.kod, tc.referans, tc.pin, got.PIN)
		}
	}
	// Real PINs beside them still go through.
	for _, tc := range []struct{ kod, password, referans, pin string }{
		{"bayi7", "3829", "04300", "4300-1234-5678-9012"},
		{"bayi7", "3829", "1001", "İSTANBUL-7K2P-9QXM"},
		{"bayi7", "Gizli-99", "1733829183-2", "1733 8291 8300 1234"},
		// A group that is the referans as read, cut of its suffix, or the
		// dealer code without its marks, by chance (helper-365).
		{"bayi7", "3829", "1001-2", "1001 3829 5678 9012"},
		{"bayi7", "3829", "0012", "12 3829 5678 9012"},
		{"x7-k2", "Gizli-99", "1001", "9QXM 4TZR X7K2 8HJD"},
		{"ab.cd", "Gizli-99", "1001", "ABCD EFGH 1234 5678"},
		{"k-7", "Gizli-99", "1001", "K7 4TZR 9QXM 8HJD"},
		{"bayi-7", "Gizli-99", "1001", "BAYI7 K2P9 QXM4 AB12"},
	} {
		s := znettest.NewServer(tc.kod, tc.password)
		t.Cleanup(s.Close)
		c, err := NewClient(s.URL, tc.kod, tc.password, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Script(tc.referans, znettest.Done(tc.pin, "tamam"))
		if got, err := c.CheckPin(context.Background(), tc.referans); err != nil || got.PIN != tc.pin {
			t.Errorf("referans %q, PIN field %q: got %q, %v; want the PIN", tc.referans, tc.pin, got.PIN, err)
		}
	}
}
