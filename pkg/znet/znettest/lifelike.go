package znettest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"time"
)

// Fate is what a lifelike panel does with one order.
type Fate int

const (
	FateDone      Fate = iota + 1 // delivered after a few waits
	FateCancelled                 // cancelled at znet, e.g. out of stock
	FateFlaky                     // a 503 or a PHP warning first, then delivered
	FateNotFound                  // "3|Kayıt bulunamadı" every time: the referans never reached znet
	FateForever                   // waiting forever: the supplier never delivers
)

func (f Fate) String() string {
	switch f {
	case FateDone:
		return "done"
	case FateCancelled:
		return "cancelled"
	case FateFlaky:
		return "flaky"
	case FateNotFound:
		return "not found"
	case FateForever:
		return "forever"
	}
	return fmt.Sprintf("Fate(%d)", int(f))
}

// LifelikeFate is the fate Lifelike gives referans, with the number of
// "waiting" answers before the final one. Out of a hundred orders about 75
// are delivered after none, one or two waits, 12 are cancelled, 7 fail once
// and are then delivered, 3 are never found and 3 wait forever.
func LifelikeFate(referans string) (f Fate, waits int) {
	h := hash(referans)
	switch p := h % 100; {
	case p < 5:
		return FateDone, 0
	case p < 45:
		return FateDone, 1
	case p < 75:
		return FateDone, 2
	case p < 87:
		return FateCancelled, int(h/100) % 2
	case p < 94:
		return FateFlaky, 1
	case p < 97:
		return FateNotFound, 0
	}
	return FateForever, 0
}

// Lifelike answers like a busy, mostly healthy panel, for SetResponder. Each
// referans gets its LifelikeFate from a hash of itself, so a run is
// repeatable, and each answer takes 5 to 60ms.
func Lifelike(referans string, call int) Answer {
	f, waits := LifelikeFate(referans)
	h := hash(referans)
	latency := time.Duration(5+(h>>8)%56) * time.Millisecond
	if f == FateFlaky {
		if call == 1 {
			if h%2 == 0 {
				return ServerError(http.StatusServiceUnavailable).After(latency)
			}
			// Plain text, as PHP prints it with html_errors off: an
			// answer about this call, not a sign of a wrong base URL.
			return Garbage("Warning: mysqli_connect(): (HY000/1040): Too many connections in /home/bayi/public_html/servis/baglan.php on line 4\n").After(latency)
		}
		call--
	}
	switch {
	case f == FateNotFound:
		return Rejected("3", "Kayıt bulunamadı").After(latency)
	case f == FateForever || call <= waits:
		return Waiting("Sipariş işleniyor").After(latency)
	case f == FateCancelled:
		return Cancelled("İşlem iptal edildi: stokta yok").After(latency)
	}
	return Done(lifelikePIN(h), "İşlem tamamlandı").After(latency)
}

// lifelikePIN is a made-up code in the usual four groups of four.
func lifelikePIN(h uint64) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 0, 19)
	for i := range 16 {
		if i > 0 && i%4 == 0 {
			b = append(b, '-')
		}
		h = h*6364136223846793005 + 1442695040888963407
		b = append(b, alphabet[h>>59])
	}
	return string(b)
}

func hash(s string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}
