package znet

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
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
		{"done", "OK|2|AB12-CD34-EF56-GH78|Açıklama", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56-GH78", Description: "Açıklama"}},
		{"waiting, blank PIN", "OK|1| |Açıklama", PinStatus{Status: StatusWaiting, PIN: "", Description: "Açıklama"}},
		{"waiting, dash PIN", "OK|1| - |Açıklama", PinStatus{Status: StatusWaiting, PIN: "", Description: "Açıklama"}},
		{"waiting, a code withheld", "OK|1|AB12-CD34|Kod AB12-CD34 bekliyor", PinStatus{Status: StatusWaiting, Withheld: []string{"AB12-CD34"}, Description: "Kod AB12-CD34 bekliyor"}},
		{"waiting, a word in the PIN field", "OK|1|Beklemede|İşlem 1 beklemede", PinStatus{Status: StatusWaiting, Description: "İşlem 1 beklemede"}},
		{"waiting, a short number in the PIN field", "OK|1|0|bakiye 1050.00 TL", PinStatus{Status: StatusWaiting, Description: "bakiye 1050.00 TL"}},
		{"cancelled, codes on two lines withheld", "OK|3|AB12-CD34<br />EF56-GH78|Kodlar iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"AB12-CD34 EF56-GH78"}, Description: "Kodlar iptal"}},
		{"cancelled, groups without a digit withheld", "OK|3|QW7R 9TZK ABCD 8HJD|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"QW7R 9TZK ABCD 8HJD"}, Description: "iptal"}},
		{"cancelled, serial and PIN withheld", "OK|3|Seri:12345678 Pin:87654321|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"Seri:12345678 Pin:87654321"}, Description: "iptal"}},
		{"cancelled, dotted groups withheld", "OK|3|1234.5678.9012.3456|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"1234.5678.9012.3456"}, Description: "iptal"}},
		{"waiting, words and a digit in the PIN field", "OK|1|İşlem sırada 2|bekliyor", PinStatus{Status: StatusWaiting, Description: "bekliyor"}},
		{"waiting, a balance in the PIN field", "OK|1|1050.00|bakiye 1050.00 TL", PinStatus{Status: StatusWaiting, Description: "bakiye 1050.00 TL"}},
		{"waiting, a date in the PIN field", "OK|1|2026-12-02 10:00|sırada", PinStatus{Status: StatusWaiting, Description: "sırada"}},
		{"waiting, an order number in the PIN field", "OK|1|12345678|sipariş 12345678", PinStatus{Status: StatusWaiting, Description: "sipariş 12345678"}},
		{"cancelled, a numeric code withheld", "OK|3|1234 5678 9012 3456|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"1234 5678 9012 3456"}, Description: "iptal"}},
		{"waiting, upper-case words and a number in the PIN field", "OK|1|SIPARIS 12|Siparisiniz alindi, SIPARIS durumu: bekliyor", PinStatus{Status: StatusWaiting, Description: "Siparisiniz alindi, SIPARIS durumu: bekliyor"}},
		{"cancelled, IPTAL EDILDI 2 in the PIN field", "OK|3|IPTAL EDILDI 2|İptal edildi", PinStatus{Status: StatusCancelled, Description: "İptal edildi"}},
		{"cancelled, a product and an amount in the PIN field", "OK|3|RAZER GOLD 100 TL|iptal", PinStatus{Status: StatusCancelled, Description: "iptal"}},
		{"cancelled, labelled codes withheld", "OK|3|Seri: 12345678 Pin: 87654321|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"12345678 87654321"}, Description: "iptal"}},
		{"cancelled, a code and a note withheld", "OK|3|AB12-CD34-EF56 (iptal)|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"AB12-CD34-EF56"}, Description: "iptal"}},
		{"cancelled, an amount and words in the PIN field", "OK|3|IADE 1050.00 TL|1050.00 TL iade edildi", PinStatus{Status: StatusCancelled, Description: "1050.00 TL iade edildi"}},
		{"waiting, an order number and words in the PIN field", "OK|1|ISLEM NO 98765432|Islem no 98765432 bekliyor", PinStatus{Status: StatusWaiting, Description: "Islem no 98765432 bekliyor"}},
		{"cancelled, amounts and words in the PIN field", "OK|3|TUTAR 250.00 BAKIYE 12755.23|iptal", PinStatus{Status: StatusCancelled, Description: "iptal"}},
		{"cancelled, a code between words withheld", "OK|3|KOD X7Y8Z9W1 IPTAL|kod X7Y8Z9W1 iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"X7Y8Z9W1"}, Description: "kod X7Y8Z9W1 iptal"}},
		{"cancelled, letter groups as long as the others withheld", "OK|3|ABCD 1234 EFGH 5678|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"ABCD 1234 EFGH 5678"}, Description: "iptal"}},
		{"cancelled, groups of three digits withheld", "OK|3|123 456 789 012|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"123 456 789 012"}, Description: "iptal"}},
		{"cancelled, a letter group beside a digit group withheld", "OK|3|ABCD EFGH 1234|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"ABCD EFGH 1234"}, Description: "iptal"}},
		{"cancelled, groups of two withheld", "OK|3|AB 12 CD 34 EF 56|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"AB 12 CD 34 EF 56"}, Description: "iptal"}},
		{"waiting, a code and a date withheld", "OK|1|QW7R-9TZK-4MNB-8HJD 2026-12-02|bekliyor", PinStatus{Status: StatusWaiting, Withheld: []string{"QW7R-9TZK-4MNB-8HJD"}, Description: "bekliyor"}},
		{"cancelled, a code withheld", "OK|3|AB12-CD34|iptal", PinStatus{Status: StatusCancelled, Withheld: []string{"AB12-CD34"}, Description: "iptal"}},
		{"cancelled", "OK|3| |Açıklama", PinStatus{Status: StatusCancelled, PIN: "", Description: "Açıklama"}},

		// A PIN of codes and words, as some games' are, is no error message.
		{"done, a serial and a PIN with words", "OK|2|Seri: 12345678 Şifre: 87654321|tamam", PinStatus{Status: StatusDone, PIN: "Seri: 12345678 Şifre: 87654321", Description: "tamam"}},
		{"done, a product and its code", "OK|2|PUBG 60 UC ABCD-1234-EFGH|tamam", PinStatus{Status: StatusDone, PIN: "PUBG 60 UC ABCD-1234-EFGH", Description: "tamam"}},
		{"done, a code and where to use it", "OK|2|ZX98-YW76 kodu oyunda kullanin|tamam", PinStatus{Status: StatusDone, PIN: "ZX98-YW76 kodu oyunda kullanin", Description: "tamam"}},
		{"done, a code after a warning word", "OK|2|Warning: tek kullanimlik ABCD-1234-EFGH|tamam", PinStatus{Status: StatusDone, PIN: "Warning: tek kullanimlik ABCD-1234-EFGH", Description: "tamam"}},
		// Near what is refused (a refusal's code on the next line, a
		// date, an amount, a NULL after the code), and codes.
		{"done, two codes on two lines", "OK|2|1234567890123456\n6543210987654321|x", PinStatus{Status: StatusDone, PIN: "1234567890123456 6543210987654321", Description: "x"}},
		{"done, a label on its own line", "OK|2|PIN:\nAB12-CD34-EF56|x", PinStatus{Status: StatusDone, PIN: "PIN: AB12-CD34-EF56", Description: "x"}},
		{"done, groups like a date's", "OK|2|2026-13-45-1234|x", PinStatus{Status: StatusDone, PIN: "2026-13-45-1234", Description: "x"}},
		{"done, dotted groups of three", "OK|2|123.456.789|x", PinStatus{Status: StatusDone, PIN: "123.456.789", Description: "x"}},
		{"done, a status word after the code", "OK|2|AB12-CD34-EF56-GH78 TAMAM|x", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56-GH78 TAMAM", Description: "x"}},
		{"done, a word for none before the code", "OK|2|Seri: yok PIN: AB12-CD34-EF56|x", PinStatus{Status: StatusDone, PIN: "Seri: yok PIN: AB12-CD34-EF56", Description: "x"}},
		{"done, serial and PIN with a label on its own line", "OK|2|Seri: 12345678\nPIN:\n1234567890123456|x", PinStatus{Status: StatusDone, PIN: "Seri: 12345678 PIN: 1234567890123456", Description: "x"}},
		{"done, codes with a rule between them", "OK|2|AB12-CD34\n-----\nEF56-GH78|x", PinStatus{Status: StatusDone, PIN: "AB12-CD34 ----- EF56-GH78", Description: "x"}},
		{"done, a code and its page's number", "OK|2|AB12-CD34-EF56\n(1/2)|x", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56 (1/2)", Description: "x"}},
		{"done, a status word on the line after the code", "OK|2|AB12-CD34\nTAMAM|x", PinStatus{Status: StatusDone, PIN: "AB12-CD34 TAMAM", Description: "x"}},
		{"done, a code whose last group is NULL", "OK|2|ABCD-1234-EFGH-NULL|x", PinStatus{Status: StatusDone, PIN: "ABCD-1234-EFGH-NULL", Description: "x"}},
		{"done, a label in Cyrillic before a code", "OK|2|Ключ AB12-CD34-EF56|x", PinStatus{Status: StatusDone, PIN: "Ключ AB12-CD34-EF56", Description: "x"}},
		{"done, groups like a year's, not a date", "OK|2|1234-12-12|x", PinStatus{Status: StatusDone, PIN: "1234-12-12", Description: "x"}},
		{"done, a code and a notice", "OK|2|ABCD-1234-EFGH Important Notice: region TR|tamam", PinStatus{Status: StatusDone, PIN: "ABCD-1234-EFGH Important Notice: region TR", Description: "tamam"}},
		{"done, a code to enter on a line", "OK|2|Kod ABCD-1234 on line 2 girin|tamam", PinStatus{Status: StatusDone, PIN: "Kod ABCD-1234 on line 2 girin", Description: "tamam"}},
		{"done, a word ending in exception", "OK|2|NoException Pass ABCD-1234|tamam", PinStatus{Status: StatusDone, PIN: "NoException Pass ABCD-1234", Description: "tamam"}},
		{"done, a code and an account that may not exist", "OK|2|ABCD-1234-EFGH Redeem at store.example; if your account does not exist, create one|tamam",
			PinStatus{Status: StatusDone, PIN: "ABCD-1234-EFGH Redeem at store.example; if your account does not exist, create one", Description: "tamam"}},
		{"done, a serial and a code beginning ORA", "OK|2|Serial: 1234 5678 Code: ORA-48213|tamam", PinStatus{Status: StatusDone, PIN: "Serial: 1234 5678 Code: ORA-48213", Description: "tamam"}},
		// A UTF-8 description cut in the middle of a letter (PHP's substr
		// counts bytes) was read as Windows-1254 whole: garbled, and a PIN
		// with a Turkish letter refused on every ask.
		{"utf-8 cut in its last letter", "OK|2|AB12-CD34|İşlem tamamland\xc4", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "İşlem tamamland"}},
		{"utf-8 cut in its last letter, a Turkish PIN", "OK|2|ÇEK1-2345-ĞÜŞ9|İşlem tamam\xc4\r\n", PinStatus{Status: StatusDone, PIN: "ÇEK1-2345-ĞÜŞ9", Description: "İşlem tamam"}},
		{"utf-8 cut in a three-byte character", "OK|1| |Sipariş ₺12\xe2\x82", PinStatus{Status: StatusWaiting, Description: "Sipariş ₺12"}},
		{"windows-1254 ending in its only letter", "OK|3| |Bor\xe7", PinStatus{Status: StatusCancelled, Description: "Borç"}},
		{"utf-8 cut in its last letter, NUL padding after", "OK|2|ÇEK1-2345-ĞÜŞ9|İşlem tamam\xc4\x00\x00", PinStatus{Status: StatusDone, PIN: "ÇEK1-2345-ĞÜŞ9", Description: "İşlem tamam"}},
		// A Windows-1254 capital and a symbol after it are valid UTF-8 too,
		// a letter of another script: read so, the PIN changed.
		{"windows-1254, a capital and a dash in the PIN, a last letter", "OK|2|AB\xdd\x96CD|TAMAM\xc7", PinStatus{Status: StatusDone, PIN: "ABİ–CD", Description: "TAMAMÇ"}},
		{"windows-1254, Ç and a dash in the PIN, a last letter", "OK|2|AB\xc7\x96CD|TAMAM\xc7", PinStatus{Status: StatusDone, PIN: "ABÇ–CD", Description: "TAMAMÇ"}},
		{"windows-1254, Â and a degree sign in the PIN, a last letter", "OK|2|K\xc2\xb0X9|TAMAM\xc7", PinStatus{Status: StatusDone, PIN: "KÂ°X9", Description: "TAMAMÇ"}},
		{"utf-8 with a stray byte inside, read as windows-1254", "OK|1| |Sipariş alındı \xc4 bekliyor", PinStatus{Status: StatusWaiting, Description: "SipariÅŸ alÄ±ndÄ± Ä bekliyor"}},
		{"windows-1254", "OK|2|X7Q2|\xdd\xfelem tamamland\xfd", PinStatus{Status: StatusDone, PIN: "X7Q2", Description: "İşlem tamamlandı"}},
		{"windows-1254 cancelled", "OK|3| |\xdd\xfelem iptal edildi", PinStatus{Status: StatusCancelled, PIN: "", Description: "İşlem iptal edildi"}},
		{"undefined windows-1254 byte", "OK|1| |a\x81b", PinStatus{Status: StatusWaiting, PIN: "", Description: "a\ufffdb"}},
		{"utf-8 kept as is", "OK|2|P7Q2|İşlem tamamlandı", PinStatus{Status: StatusDone, PIN: "P7Q2", Description: "İşlem tamamlandı"}},
		{"CRLF at the end", "OK|2|AB12|İşlem tamamlandı\r\n", PinStatus{Status: StatusDone, PIN: "AB12", Description: "İşlem tamamlandı"}},
		{"whitespace everywhere", "\r\n \tOK | 2 |\tAB12 \r| desc \r\n\n", PinStatus{Status: StatusDone, PIN: "AB12", Description: "desc"}},
		{"BOM", "\xef\xbb\xbfOK|1| |x", PinStatus{Status: StatusWaiting, PIN: "", Description: "x"}},
		{"BOM before windows-1254", "\xef\xbb\xbfOK|1| |\xfe", PinStatus{Status: StatusWaiting, PIN: "", Description: "ş"}},
		{"description with pipes", "OK|2|P7Q2|a|b||c", PinStatus{Status: StatusDone, PIN: "P7Q2", Description: "a|b||c"}},
		{"lower-case ok", "ok|2|P7Q2|d", PinStatus{Status: StatusDone, PIN: "P7Q2", Description: "d"}},
		{"waiting without fields", "OK|1", PinStatus{Status: StatusWaiting, PIN: "", Description: ""}},
		{"cancelled without fields", "OK|3\r\n", PinStatus{Status: StatusCancelled, PIN: "", Description: ""}},
		{"cancelled without description", "OK|3| ", PinStatus{Status: StatusCancelled, PIN: "", Description: ""}},
		{"done with empty PIN (top-up)", "OK|2||Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"done with empty PIN and description", "OK|2| |", PinStatus{Status: StatusDone, PIN: "", Description: ""}},
		{"NUL bytes removed", "OK|1| |de\x00sc\x00", PinStatus{Status: StatusWaiting, PIN: "", Description: "desc"}},
		{"a NUL-padded done answer", "OK|2|AB12-CD34|tamam\x00\x00\r\n", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}},
		{"a NUL-padded top-up", "OK|2||Yüklendi\x00", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"line breaks and tabs between a PIN's codes", "OK|2|AB12-CD34\r\nEF56-GH78\tIJ90|d", PinStatus{Status: StatusDone, PIN: "AB12-CD34 EF56-GH78 IJ90", Description: "d"}},
		{"codes as nl2br writes them", "OK|2|NL2BR-AAAA<br />\nNL2BR-BBBB<BR>NL2BR-CCCC|x", PinStatus{Status: StatusDone, PIN: "NL2BR-AAAA NL2BR-BBBB NL2BR-CCCC", Description: "x"}},
		// Windows-1254 for the whole body: a capital and a no-break space
		// (C7 A0) are two characters, though they would make one in UTF-8.
		{"a Windows-1254 capital before a no-break space", "OK|2|AB\xc7\xa0CD|Onayland\xfd", PinStatus{Status: StatusDone, PIN: "ABÇ CD", Description: "Onaylandı"}},
		{"a PIN with Turkish letters in Windows-1254", "OK|2|\xdcN\xdd12-\xd6Z34|Te\xfeekk\xfcrler", PinStatus{Status: StatusDone, PIN: "ÜNİ12-ÖZ34", Description: "Teşekkürler"}},
		{"a blank PIN as nl2br writes it", "OK|2|-<br />|Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"control characters become spaces", "OK|1| |a\x1b[31mb\nc", PinStatus{Status: StatusWaiting, PIN: "", Description: "a [31mb c"}},
		// A notice about something else than the PIN says nothing of it.
		{"a top-up after a notice of another key", "<br />\n<b>Notice</b>:  Undefined index: musteri_tel in <b>/home/bayi/servis/pin_kontrol.php</b> on line <b>9</b><br />\nOK|2| |Yüklendi",
			PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		// The same answer twice is one answer.
		{"an answer repeated", "OK|2|AB12-CD34|tamam\r\nOK|2|AB12-CD34|tamam\r\n", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}},
		{"an answer repeated with nothing between", "OK|2|AB12-CD34|tamamOK|2|AB12-CD34|tamam", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}},
		{"an answer glued to its own repeat after the PIN", "OK|2|AB12-CD34OK|2|AB12-CD34|tamam", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}},
		{"an answer with a bidi mark glued to its own repeat", "OK\u200e|2|AB12-CD34OK|2|AB12-CD34|tamam", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}},
		{"a PIN of two lines glued to its own repeat", "OK|2|CODE1<br />\nCODE2|teslimOK|2|CODE1<br />\nCODE2|teslim", PinStatus{Status: StatusDone, PIN: "CODE1 CODE2", Description: "teslim"}},
		{"a description that says ok", "OK|2|AB12-CD34|Siparis OK, teslim edildi", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "Siparis OK, teslim edildi"}},
		// A PIN that ends in OK, and descriptions that say OK and a number.
		{"a PIN ending in OK and a one-digit description", "OK|2|ABCD-EFOK|1", PinStatus{Status: StatusDone, PIN: "ABCD-EFOK", Description: "1"}},
		{"a description ending in OK and a status", "OK|2|ABCD-EFGH-5554|Kontrol: OK|2", PinStatus{Status: StatusDone, PIN: "ABCD-EFGH-5554", Description: "Kontrol: OK|2"}},
		{"a waiting description ending in OK and a number", "OK|1| |Bekliyor, kuyruk sirasi OK|3", PinStatus{Status: StatusWaiting, PIN: "", Description: "Bekliyor, kuyruk sirasi OK|3"}},
		{"a description with OK and a count", "OK|2|ABCD-EFGH-5554|Siparis durumu OK|2 adet", PinStatus{Status: StatusDone, PIN: "ABCD-EFGH-5554", Description: "Siparis durumu OK|2 adet"}},
		// Words ending in ok, and answers of several lines whose last line
		// ends in a number.
		{"a description of two lines ending in a word, a bar and a number", "OK|2|AAAA-1111|İşlem tamam\nKalan stok|3", PinStatus{Status: StatusDone, PIN: "AAAA-1111", Description: "İşlem tamam Kalan stok|3"}},
		{"a PIN of two lines and a description of Facebook and a number", "OK|2|CODE1<br />\nCODE2|Facebook|1", PinStatus{Status: StatusDone, PIN: "CODE1 CODE2", Description: "Facebook|1"}},
		{"a waiting answer repeated, each with its warning", "OK|1\nWarning: x in /a.php on line 3\nOK|1\nWarning: y in /a.php on line 4", PinStatus{Status: StatusWaiting, PIN: "", Description: ""}},
		{"a PIN of two lines repeated", "OK|2|AAAA-1111\nBBBB-2222|tamam\nOK|2|AAAA-1111\nBBBB-2222|tamam", PinStatus{Status: StatusDone, PIN: "AAAA-1111 BBBB-2222", Description: "tamam"}},
		{"a digit and letters between dashes", "OK|2|-7K2Q-|x", PinStatus{Status: StatusDone, PIN: "-7K2Q-", Description: "x"}},
		{"a code of many X's among others", "OK|2|XKXX-XX7X-XJ2X|x", PinStatus{Status: StatusDone, PIN: "XKXX-XX7X-XJ2X", Description: "x"}},
		{"a code starting with PIN", "OK|2|PIN4-7K2Q|x", PinStatus{Status: StatusDone, PIN: "PIN4-7K2Q", Description: "x"}},
		// Codes of letters alone, in capitals, and codes with an E between
		// digits, are codes.
		{"a code of capitals alone", "OK|2|QWRT-YPSD-FGHJ|x", PinStatus{Status: StatusDone, PIN: "QWRT-YPSD-FGHJ", Description: "x"}},
		{"a hex code with one E", "OK|2|1234E5678901|x", PinStatus{Status: StatusDone, PIN: "1234E5678901", Description: "x"}},
		{"a code with the letters OK in it", "OK|2|OKQ7-2MZX-TR4P|x", PinStatus{Status: StatusDone, PIN: "OKQ7-2MZX-TR4P", Description: "x"}},
		// Codes of letters alone in groups, behind a label or a product's
		// name, in lower case, or whose group starts like a status's word
		// (a reviewer's finds).
		{"a code of letters behind a product's name", "OK|2|Steam QWRTY-PSDFG-HJKLZ|x", PinStatus{Status: StatusDone, PIN: "Steam QWRTY-PSDFG-HJKLZ", Description: "x"}},
		{"a code of letters in five groups", "OK|2|BCDFG-HJKMP-QRTVW-XYBCD-FGHJK|x", PinStatus{Status: StatusDone, PIN: "BCDFG-HJKMP-QRTVW-XYBCD-FGHJK", Description: "x"}},
		{"a code of lower-case letters", "OK|2|abcd-efgh-jkmn|x", PinStatus{Status: StatusDone, PIN: "abcd-efgh-jkmn", Description: "x"}},
		{"a code whose group starts as a status's word", "OK|2|HATAY-QWRTZ-PSDFG|x", PinStatus{Status: StatusDone, PIN: "HATAY-QWRTZ-PSDFG", Description: "x"}},
		{"a code of capitals that starts as a status's word", "OK|2|STOKXQWRTZ|x", PinStatus{Status: StatusDone, PIN: "STOKXQWRTZ", Description: "x"}},
		{"a code of capitals behind a product's name", "OK|2|Steam QWRTYPSDFGHJKLZ|x", PinStatus{Status: StatusDone, PIN: "Steam QWRTYPSDFGHJKLZ", Description: "x"}},
		{"a code of capitals in spaced groups", "OK|2|Razer QWRTY PSDFG HJKLZ|x", PinStatus{Status: StatusDone, PIN: "Razer QWRTY PSDFG HJKLZ", Description: "x"}},
		{"a code of mixed-case letters", "OK|2|KbcdFGHJmnpqRSTV|x", PinStatus{Status: StatusDone, PIN: "KbcdFGHJmnpqRSTV", Description: "x"}},
		{"a numeric PIN behind a product's name", "OK|2|Netflix 1234 5678 9012|x", PinStatus{Status: StatusDone, PIN: "Netflix 1234 5678 9012", Description: "x"}},
		{"a top-up's product", "OK|2|PUBG 60 UC|x", PinStatus{Status: StatusDone, PIN: "PUBG 60 UC", Description: "x"}},
		// Invisible characters at a code's ends, from a web page or a
		// spreadsheet's byte-order mark, are no part of it (helper-258).
		{"a code after a byte-order mark", "OK|2|\ufeffABCD-1234-EFGH-5678|ok", PinStatus{Status: StatusDone, PIN: "ABCD-1234-EFGH-5678", Description: "ok"}},
		{"a code before a zero-width space", "OK|2|ABCD-1234-EFGH-5678\u200b |ok", PinStatus{Status: StatusDone, PIN: "ABCD-1234-EFGH-5678", Description: "ok"}},
		// Notices of names that only hold the letters "pin" say nothing of it.
		{"a top-up after a notice of a spinner", "Notice: Undefined variable: spinner in /a/servis/pin_kontrol.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after a notice of shipping", "Notice: Undefined index: shipping in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after a notice of an opinion", "Notice: Undefined index: opinion in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after a notice of a request's header", "Notice: Undefined index: HTTP_REFERER in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		// Everyday notices: an explode() short of a part, the dealer code's
		// parameter read from the wrong array, and a row not read after
		// the answer was printed (a review's finds).
		{"a top-up after a notice of an offset", "Notice: Undefined offset: 1 in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after PHP 8's notice of a key 0", "Warning: Undefined array key 0 in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after a notice of the dealer code", "Notice: Undefined index: kod in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after a notice of a code", "Warning: Undefined array key \"code\" in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a code with a group of X's by chance", "OK|2|XXXX-7K2Q-M9PL|x", PinStatus{Status: StatusDone, PIN: "XXXX-7K2Q-M9PL", Description: "x"}},
		{"an Xbox code with a group of X's by chance", "OK|2|7K2QX-XXXXX-B7KQM-PQRTV-23467|x", PinStatus{Status: StatusDone, PIN: "7K2QX-XXXXX-B7KQM-PQRTV-23467", Description: "x"}},
		{"a top-up, a logger's null row after it, and its line", "OK|2| |Yüklendi\nWarning: Trying to access array offset on value of type null in /a/log.php on line 22\nlog ok", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up, a null row read after it", "OK|2| |Yüklendi\nWarning: Trying to access array offset on value of type null in /a/log.php on line 22", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a top-up after a notice of a decoder", "Notice: Undefined variable: kodlayici in /a.php on line 3\nOK|2| |Yüklendi", PinStatus{Status: StatusDone, PIN: "", Description: "Yüklendi"}},
		{"a PIN after PHP read an offset of a null row elsewhere", "Warning: Trying to access array offset on value of type null in /a.php on line 5\nOK|2|AB12-CD34|tamam", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}},
		// A description's line that starts with OK but is no answer: the
		// answer ends there, and is taken.
		{"a description line of OK alone", "OK|3| |İptal edildi.\nOK", PinStatus{Status: StatusCancelled, PIN: "", Description: "İptal edildi."}},
		{"a description line of OK and words", "OK|1| |Talebiniz alındı\nOK|bekleyiniz", PinStatus{Status: StatusWaiting, PIN: "", Description: "Talebiniz alındı"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePinStatus([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePinStatus(%q) error: %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
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
		// Nothing about any order: a wrong base URL answering every path so.
		{"OK alone", "OK", KindUnintelligible, "", "", "without an order status"},
		{"OK, empty status", "OK||x|y", KindUnintelligible, "", "", "without an order status"},
		{"unknown status", "OK|4| |x", KindUnusable, "", "", ""},
		{"padded status", "OK|02|P|x", KindUnusable, "", "", ""},
		{"done without PIN field", "OK|2", KindUnusable, "", "", "sent no PIN field"},
		{"done, cut short in the PIN", "OK|2|AB12-CD", KindUnusable, "", "", "ends in the PIN field"},
		{"done, cut short after the status", "OK|2|", KindUnusable, "", "", "ends in the PIN field"},
		// Cleaned, these would be codes znet never issued.
		{"an escape sequence in the PIN", "OK|2|ES11\x1b[2J-ES22|x", KindUnusable, "", "", "control or invisible characters"},
		{"a NUL byte in the PIN", "OK|2|NU11-NU22\x00-NU33|x", KindUnusable, "", "", "a NUL byte"},
		{"a NUL byte in a done answer's description", "OK|2|NU11-NU22|x\x00y", KindUnusable, "", "", "a NUL byte"},
		{"a PIN field of a NUL byte alone", "OK|2|\x00|tamam", KindUnusable, "", "", "a NUL byte"},
		{"a DEL in the PIN", "OK|2|DE11\x7fDE22|x", KindUnusable, "", "", "control or invisible characters"},
		{"markup in the PIN", "OK|2|AB12<b>CD34</b>|x", KindUnusable, "", "", "markup"},
		{"a PIN field of an escape alone", "OK|2|\x1b|tamam", KindUnusable, "", "", "control or invisible characters"},
		{"a zero-width space in the PIN", "OK|2|AB12\u200bCD34|x", KindUnusable, "", "", "control or invisible characters"},
		{"a soft hyphen in the PIN", "OK|2|AB12\u00adCD34|x", KindUnusable, "", "", "control or invisible characters"},
		{"a byte order mark in the PIN", "OK|2|AB12\ufeffCD34|x", KindUnusable, "", "", "control or invisible characters"},
		{"a Hangul filler for a PIN", "OK|2|\u3164|x", KindUnusable, "", "", "control or invisible characters"},
		{"a grapheme joiner in the PIN", "OK|2|AB12\u034fCD34|x", KindUnusable, "", "", "control or invisible characters"},
		{"a variation selector in the PIN", "OK|2|AB12\ufe0fCD34|x", KindUnusable, "", "", "control or invisible characters"},
		{"a braille blank for a PIN", "OK|2|\u2800|x", KindUnusable, "", "", "control or invisible characters"},
		{"a replacement character in the PIN", "OK|2|AB12\ufffdCD34|x", KindUnusable, "", "", "control or invisible characters"},
		{"a combining stroke in the PIN", "OK|2|AB12\u0336-CD34\u0336|ok", KindUnusable, "", "", "combining mark"},
		{"a Turkish letter decomposed in the PIN", "OK|2|I\u0307STANBUL-1234|ok", KindUnusable, "", "", "combining mark"},
		// 0x81 means nothing in Windows-1254: decoded, it is U+FFFD.
		{"an undefined Windows-1254 byte in the PIN", "OK|2|AB12\x81CD|Yükleme tamamland\xfd", KindUnusable, "", "", "control or invisible characters"},
		{"over-long", "OK|1| |" + strings.Repeat("a", MaxBodyBytes), KindUnintelligible, "", "", "more than 64 KiB"},
		// What a broken PHP script prints where the PIN should be.
		{"an array for a PIN", "<br />\n<b>Notice</b>:  Array to string conversion in <b>/home/bayi/servis/pin_kontrol.php</b> on line <b>41</b><br />\nOK|2|Array|İşlem tamamlandı",
			KindUnusable, "", "", "(Array, NULL"},
		{"a null for a PIN", "OK|2|NULL|İşlem tamamlandı", KindUnusable, "", "", "(Array, NULL"},
		// A MySQL result echoed instead of its row, an integer column's
		// default: saved, each was the customer's PIN and the order final.
		{"a MySQL resource for a PIN", "OK|2|Resource id #5|İşlem tamamlandı", KindUnusable, "", "", "Resource id #5"},
		{"a MySQL resource for a PIN, no description", "OK|2|Resource id #12|", KindUnusable, "", "", "no PIN"},
		{"a zero for a PIN", "OK|2|0|", KindUnusable, "", "", "no PIN"},
		// What a script makes of a PIN, and words in its place (a
		// hostile-panel adversary's finds: each was saved and approved).
		{"a PIN printed as a float", "OK|2|1.2345678901235E+15|İşlem tamamlandı", KindUnusable, "", "", "as PHP prints a float"},
		{"a PIN printed as a float in Turkish", "OK|2|1,23457E+15|tamam", KindUnusable, "", "", "as PHP prints a float"},
		{"an infinity for a PIN", "OK|2|INF|tamam", KindUnusable, "", "", "as PHP prints a float"},
		{"a PIN shortened with dots", "OK|2|AB12-CD34-EF56-GH...|tamam", KindUnusable, "", "", "ends in an ellipsis"},
		{"a PIN shortened with an ellipsis", "OK|2|AB12-CD34-EF56-G…|tamam", KindUnusable, "", "", "ends in an ellipsis"},
		{"a status for a PIN", "OK|2|Bekliyor|tamam", KindUnusable, "", "", "holds words, not a code"},
		{"a status of two words for a PIN", "OK|2|Stok yok|tamam", KindUnusable, "", "", "holds words, not a code"},
		{"a status in capitals for a PIN", "OK|2|İŞLEM TAMAMLANDI|tamam", KindUnusable, "", "", "holds words, not a code"},
		{"an English status for a PIN", "OK|2|ERROR|tamam", KindUnusable, "", "", "holds words, not a code"},
		{"a not-found for a PIN", "OK|2|Pin Bulunamadı|tamam", KindUnusable, "", "", "holds words, not a code"},
		{"the description in the PIN's place", "OK|2|Teslim edildi|AB12-CD34-EF56-GH78", KindUnusable, "", "", "holds words, not a code"},
		{"OK for a PIN", "OK|2|OK|tamam", KindUnusable, "", "", "fewer letters and digits"},
		{"a status's digit for a PIN", "OK|2|2|tamam", KindUnusable, "", "", "fewer letters and digits"},
		// A hostile panel's finds (helper-249's round, 2026-12-06): each
		// was saved as the customer's PIN and the order approved.
		{"a refusal after a done answer, its code in the PIN field", "OK|2|AB12-CD34-EF56-GH78\n3|Siparis bulunamadi", KindUnusable, "", "", "a line of one to three digits"},
		{"a refusal's code after a numeric PIN", "OK|2|1234567890123456\r\n1|x", KindUnusable, "", "", "a line of one to three digits"},
		{"a NULL where a PIN's second code is", "OK|2|AB12-CD34-EF56-GH78 NULL|x", KindUnusable, "", "", "part of the code is missing"},
		{"an Array after a PIN", "OK|2|1234567890123456 Array|x", KindUnusable, "", "", "part of the code is missing"},
		{"the order's cost for a PIN", "OK|2|35.00|Kodunuz: AB12-CD34-EF56-GH78", KindUnusable, "", "", "holds an amount"},
		{"an amount in Turkish for a PIN", "OK|2|1.050,00|x", KindUnusable, "", "", "holds an amount"},
		{"an amount in lira for a PIN", "OK|2|35 TL|x", KindUnusable, "", "", "holds an amount"},
		{"a balance for a PIN", "OK|2|12755.23|x", KindUnusable, "", "", "holds an amount"},
		{"a date and time for a PIN", "OK|2|2026-03-12 10:00:00|Kodunuz: AB12-CD34-EF56-GH78", KindUnusable, "", "", "a date or a time"},
		{"a Turkish date for a PIN", "OK|2|12.03.2026|x", KindUnusable, "", "", "a date or a time"},
		{"a time for a PIN", "OK|2|10:00|x", KindUnusable, "", "", "a date or a time"},
		{"an IP address for a PIN", "OK|2|185.12.34.56|x", KindUnusable, "", "", "an IP address"},
		{"var_dump's integer for a PIN", "OK|2|int(1234567890123456)|x", KindUnusable, "", "", "var_dump"},
		{"var_dump's float for a PIN", "OK|2|float(1.2345678901234E+15)|x", KindUnusable, "", "", "var_dump"},
		{"var_dump's boolean for a PIN", "OK|2|bool(false)|x", KindUnusable, "", "", "var_dump"},
		{"Excel's error for a PIN", "OK|2|#VALUE!|x", KindUnusable, "", "", "#VALUE!"},
		// Their review's finds (helper-252).
		{"a refusal's code after a carriage return", "OK|2|AB12-CD34-EF56-GH78\r3|x", KindUnusable, "", "", "a line of one to three digits"},
		{"a refusal's code after a line separator", "OK|2|AB12-CD34-EF56-GH78\u20283|x", KindUnusable, "", "", "a line of one to three digits"},
		{"a DECIMAL's price for a PIN", "OK|2|35.0000|x", KindUnusable, "", "", "holds an amount"},
		{"a price in dollars for a PIN", "OK|2|USD 35.00|x", KindUnusable, "", "", "holds an amount"},
		{"a price ending a sentence for a PIN", "OK|2|35.00 TL.|x", KindUnusable, "", "", "holds an amount"},
		{"an ISO date and time for a PIN", "OK|2|2026-03-12T10:00:00.000000Z|x", KindUnusable, "", "", "a date or a time"},
		{"a date with its zone for a PIN", "OK|2|2026-03-12T10:00:00+03:00|x", KindUnusable, "", "", "a date or a time"},
		{"a date with slashes, year first, for a PIN", "OK|2|2026/03/12|x", KindUnusable, "", "", "a date or a time"},
		{"a date with dashes, day first, for a PIN", "OK|2|12-03-2026|x", KindUnusable, "", "", "a date or a time"},
		{"an IPv6 address for a PIN", "OK|2|2001:db8::1|x", KindUnusable, "", "", "an IP address"},
		{"an address and port for a PIN", "OK|2|185.12.34.56:8080|x", KindUnusable, "", "", "an IP address"},
		{"a label with nothing after it", "OK|2|Seri: 12345678 PIN:|x", KindUnusable, "", "", "a label with nothing after it"},
		{"JavaScript's undefined glued on", "OK|2|AB12-CD34-undefined|x", KindUnusable, "", "", "part of the code is missing"},
		{"a zero-width space alone for a PIN", "OK|2|\u200b|x", KindUnusable, "", "", "control or invisible characters"},
		{"a zero-width space inside a PIN", "OK|2|ABCD\u200b-1234-EFGH|x", KindUnusable, "", "", "control or invisible characters"},
		{"a code of Cyrillic letters alone", "OK|2|АВСЕ-КМНР-ОТХУ|x", KindUnusable, "", "", "Cyrillic or Greek letters in a code"},
		{"full-width letters for a PIN", "OK|2|ＡＢＣＤ-ＥＦＧＨ|x", KindUnusable, "", "", "full-width letters"},
		{"a superscript digit in a PIN", "OK|2|²1234-5678|x", KindUnusable, "", "", "superscript"},
		{"full-width digits for a PIN", "OK|2|１２３４５６７８９０１２|x", KindUnusable, "", "", "digits other than 0-9"},
		{"Arabic-Indic digits for a PIN", "OK|2|١٢٣٤٥٦٧٨٩٠١٢|x", KindUnusable, "", "", "digits other than 0-9"},
		{"Cyrillic letters among Latin ones", "OK|2|АВ12-СD34-ЕF56|x", KindUnusable, "", "", "Cyrillic or Greek letters in a code"},
		{"an answer that lost its OK, its numeric PIN masked", "2|1234567890123456|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, grouped digits masked", "1|1234 5678 9012 3456|x", KindRejected, "1", "••••|x", ""},
		{"an answer that lost its OK, a product's name before the PIN", "2|Razer 1234567890123456|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, a label before a lettered PIN", "2|Steam QWRTY-PSDFG-HJKLZ|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, a name after the PIN", "2|1234567890123456 Turkcell|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, digits in threes", "2|123 456 789 012 345 678|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, a status's word before the PIN", "2|İŞLEM 1234567890123456|x", KindRejected, "2", "••••|x", ""},
		{"an answer that lost its OK, groups of four capitals", "2|ABCD EFGH JKMN PQRS|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"a cancellation that lost its OK, its code withheld", "3|AB12-CD34-EF56-GH78|iptal", KindRejected, "3", "••••|iptal", ""},
		{"a refusal's order number before a bar kept", "3|12345|Sipariş bulunamadı", KindRejected, "3", "12345|Sipariş bulunamadı", ""},
		{"a refusal's dealer number kept", "3|Bayi 4471 yetkisiz|x", KindRejected, "3", "Bayi 4471 yetkisiz|x", ""},
		{"a refusal's address kept", "3|IP 185.12.34.56 yetkisiz|x", KindRejected, "3", "IP 185.12.34.56 yetkisiz|x", ""},
		// Their review's (helper-255): markup, references, words after the
		// code, the description repeating it, a line break, no description.
		{"an answer that lost its OK, its PIN in markup", "2|<b>1234567890123456</b>|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, its groups joined by references", "2|1234&nbsp;5678&nbsp;9012&nbsp;3456|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, a NULL after its PIN", "2|1234567890123456 NULL|Tamam", KindRejected, "2", "••••|Tamam", ""},
		{"an answer that lost its OK, the description repeating the PIN", "2|1234567890123456|1234567890123456 teslim edildi", KindRejected, "2", "••••|•••• teslim edildi", ""},
		{"an answer that lost its OK, cut at its PIN", "2|1234 5678 9012 3456", KindRejected, "2", "••••", ""},
		{"an answer that lost its OK, cut at a lettered PIN", "2|AB12CD34EF56GH78", KindRejected, "2", "••••", ""},
		{"a refusal of code 2 in words kept", "2|Sipariş bulunamadı", KindRejected, "2", "Sipariş bulunamadı", ""},
		// A final review's (helper-256): the PIN repeated grouped otherwise,
		// and codes of other shapes cut at the PIN.
		{"an answer that lost its OK, the PIN repeated in groups", "2|1234567890123456|1234 5678 9012 3456 teslim edildi", KindRejected, "2", "••••|•••• teslim edildi", ""},
		{"an answer that lost its OK, the PIN repeated with dashes", "2|1234567890123456|ref 1234-5678-9012-3456", KindRejected, "2", "••••|ref ••••", ""},
		{"an answer that lost its OK, groups of three repeated", "2|123 456 789 012 345 678|123 456 789 012 345 678 teslim edildi", KindRejected, "2", "••••|•••• teslim edildi", ""},
		{"an answer that lost its OK, the PIN repeated whole", "2|1234 5678 9012 3456|Tamam 1234567890123456", KindRejected, "2", "••••|Tamam ••••", ""},
		{"an answer that lost its OK, cut at a dashed PIN", "2|1234-5678-9012-3456", KindRejected, "2", "••••", ""},
		{"an answer that lost its OK, cut at a PIN and its product", "2|1234567890123456 Turkcell", KindRejected, "2", "•••• Turkcell", ""},
		{"a refusal's product code of few letters and digits kept", "3|Ürün PUBG60 stokta yok|x", KindRejected, "3", "Ürün PUBG60 stokta yok|x", ""},
		{"a refusal's amount before a bar kept", "3|1050.00|bakiye yetersiz", KindRejected, "3", "1050.00|bakiye yetersiz", ""},
		{"an answer that lost its OK and its status, the PIN after an empty field", "2||1234567890123456|Tamam", KindRejected, "2", "|••••|Tamam", ""},
		{"an answer that lost its OK, the PIN after a blank field", "2| |AB12CD34EF56GH78|Tamam", KindRejected, "2", "|••••|Tamam", ""},
		{"an answer that lost its OK, cut at a PIN after an empty field", "2||1234 5678 9012 3456", KindRejected, "2", "|••••", ""},
		// What stood in the status's place before the PIN (helper-260's).
		{"an answer that lost its OK, the PIN after a dash", "2|-|1234567890123456|Tamam", KindRejected, "2", "-|••••|Tamam", ""},
		{"an answer that lost its OK, the PIN after NULL", "2|NULL|AB12CD34EF56GH78|Tamam", KindRejected, "2", "NULL|••••|Tamam", ""},
		{"an answer that lost its OK, the PIN after a status", "2|2|1234 5678 9012 3456|Tamam", KindRejected, "2", "2|••••|Tamam", ""},
		{"an answer that lost its OK, the PIN after an amount", "2|35.00|1234567890123456|Tamam", KindRejected, "2", "35.00|••••|Tamam", ""},
		// An answer that lost "OK|2|": its PIN is no refusal's code (helper-261's).
		{"an answer that lost OK and its status", "1234567890123456|Tamamlandı", KindUnintelligible, "", "", "not a znet answer"},
		{"a panel's own refusal code of four digits", "1001|Bayi bulunamadı", KindRejected, "1001", "Bayi bulunamadı", ""},
		// Words that are nothing but a code, whatever the code (helper-264's).
		{"a refusal of nothing but a code", "1001|AB12CD34EF56", KindRejected, "1001", "••••", ""},
		{"a refusal of code 3 and nothing but a code", "3|X7K2M9P4Q8R3T6W1", KindRejected, "3", "••••", ""},
		{"a refusal of nothing but a dashed code", "1234567|QWRTY-PSDFG-HJKLZ", KindRejected, "1234567", "••••", ""},
		{"a refusal of nothing but a quoted code", "1001|\"AB12CD34EF56\"", KindRejected, "1001", "••••", ""},
		{"a refusal with an empty field and an order's number kept", "3||12345|Sipariş bulunamadı", KindRejected, "3", "|12345|Sipariş bulunamadı", ""},
		{"a refusal's long number before a bar masked", "3|Sipariş 12345678 bulunamadı|x", KindRejected, "3", "••••|x", ""},
		// A final reading's finds (helper-248): punctuation, more status
		// words, a status with a number, and floats PHP writes otherwise.
		{"a status ending a sentence", "OK|2|Bekliyor.|x", KindUnusable, "", "", "holds words, not a code"},
		{"a status with an exclamation", "OK|2|Stok yok!|x", KindUnusable, "", "", "holds words, not a code"},
		{"a top-up's words for a PIN", "OK|2|Turkcell'e yüklendi|x", KindUnusable, "", "", "holds words, not a code"},
		{"a status in capitals with marks", "OK|2|GÖNDERİLDİ|x", KindUnusable, "", "", "holds words, not a code"},
		{"an English status", "OK|2|COMPLETED|x", KindUnusable, "", "", "holds words, not a code"},
		{"a status with a number", "OK|2|Hata 404|x", KindUnusable, "", "", "holds words, not a code"},
		{"a float var_export writes", "OK|2|1234567890123456.0|x", KindUnusable, "", "", "as PHP prints a float"},
		{"a float's exponent without a sign", "OK|2|1.2345678901234568E15|x", KindUnusable, "", "", "as PHP prints a float"},
		{"a minus one for a PIN", "OK|2|-1|tamam", KindUnusable, "", "", "no PIN"},
		{"none in Turkish for a PIN", "OK|2|YOK|tamam", KindUnusable, "", "", "no PIN"},
		{"not applicable for a PIN", "OK|2|N/A|tamam", KindUnusable, "", "", "no PIN"},
		// A PHP variable in single quotes, a format's verb, a template's
		// braces, MySQL's null, the PIN's name, a mask (helper-178).
		{"a PHP variable for a PIN", "OK|2|$pin|İşlem tamamlandı", KindUnusable, "", "", "syntax"},
		{"a PHP array's value for a PIN", "OK|2|$row[pin]|tamam", KindUnusable, "", "", "syntax"},
		{"a format's verb for a PIN", "OK|2|%s|tamam", KindUnusable, "", "", "syntax"},
		{"a template's variable for a PIN", "OK|2|{$pin}|tamam", KindUnusable, "", "", "syntax"},
		{"a template's name for a PIN", "OK|2|{pin}|tamam", KindUnusable, "", "", "syntax"},
		{"a bracketed name for a PIN", "OK|2|[PIN]|tamam", KindUnusable, "", "", "syntax"},
		{"MySQL's null for a PIN", "OK|2|\\N|tamam", KindUnusable, "", "", "syntax"},
		// A string a script encoded (a hostile panel adversary's find).
		{"a JSON string for a PIN", "OK|2|\"QUOT-1234-ABCD-0005\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN in typographic quotes", "OK|2|“QUOT-1234-ABCD-0005”|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as var_export writes it", "OK|2|'QUOT-1234-ABCD-0005'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN in single typographic quotes", "OK|2|‘QUOT-1234-ABCD-0005’|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN in guillemets", "OK|2|‹QUOT-1234-ABCD-0005›|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN in corner brackets", "OK|2|「QUOT-1234-ABCD-0005」|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN in full-width quotes", "OK|2|＂QUOT-1234-ABCD-0005＂|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as a SQL dump's value", "OK|2|'QUOT-1234-ABCD-0005',|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN quoted in brackets", "OK|2|('QUOT-1234-ABCD-0005')|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN quoted after its name", "OK|2|pin: 'QUOT-1234-ABCD-0005'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as Python prints bytes", "OK|2|b'QUOT-1234-ABCD-0005'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a quoted PIN ending in a dash", "OK|2|'QUOT-1234-'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a quoted PIN of two words", "OK|2|'AB12 CD34'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a quoted PIN padded as a CHAR column is", "OK|2|'AB12-CD34    '|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as MySQL's log prints it", "OK|2|_utf8mb4'AB12-CD34'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as a raw bytes literal", "OK|2|rb'AB12-CD34'|tamam", KindUnusable, "", "", "quotation marks"},
		{"two PINs as a tuple", "OK|2|('AB12-CD34', 'EF56-GH78')|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as var_dump prints it", "OK|2|string(9) \"AB12-CD34\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as serialize writes it", "OK|2|s:9:\"AB12-CD34\";|tamam", KindUnusable, "", "", "quotation marks"},
		{"a quoted PIN after a label of two words", "OK|2|PIN Kodu: 'AB12-CD34'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a quoted PIN after a dashed label", "OK|2|E-PIN: \"AB12-CD34\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"two PINs as a Turkish CSV line", "OK|2|\"AB12-CD34\";\"EF56-GH78\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN as a JSON object's member", "OK|2|\"pin\":\"AB12-CD34\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN holding quotes, as var_dump prints it", "OK|2|string(22) \"AB12-CD34 \"PUBG 60 UC\"\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"two PINs on two lines, as var_dump prints them", "OK|2|string(20) \"AB12-CD34\r\nEF56-GH78\"|tamam", KindUnusable, "", "", "quotation marks"},
		{"a PIN and its serial, labelled", "OK|2|pin='AB12-CD34' seri='S123456'|tamam", KindUnusable, "", "", "quotation marks"},
		{"a query's parameter for a PIN", "OK|2|:pin|tamam", KindUnusable, "", "", "the PIN's name"},
		{"the PIN's name for a PIN", "OK|2|PIN|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a column's name for a PIN", "OK|2|pin_kodu|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a code's name for a PIN", "OK|2|Kodu|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a spreadsheet's none for a PIN", "OK|2|#N/A|tamam", KindUnusable, "", "", "no PIN"},
		{"PHP's object for a PIN", "OK|2|stdClass|tamam", KindUnusable, "", "", "no PIN"},
		{"zeros for a PIN", "OK|2|00|tamam", KindUnusable, "", "", "no PIN"},
		{"zeros in groups for a PIN", "OK|2|0000-0000-0000|tamam", KindUnusable, "", "", "no PIN"},
		{"a mask for a PIN", "OK|2|xxxx-xxxx-xxxx|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of capitals for a PIN", "OK|2|XXXX XXXX|tamam", KindUnusable, "", "", "a mask"},
		// Stars hide a code's characters, and no code holds them: a field
		// masked beside the PIN is refused with it, the safe side.
		{"a PIN beside another field masked", "OK|2|Seri: **** PIN: 1234567890123|x", KindUnusable, "", "", "a mask"},
		{"a PIN masked in its middle", "OK|2|1234 **** **** 5678|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of two groups in four", "OK|2|XXXX-XXXX-AB12-CD34|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of stars in two groups of four", "OK|2|****-****-1234-5678|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of bullets", "OK|2|••••-••••-1234-5678|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of one group in two", "OK|2|XXXX-1234|tamam", KindUnusable, "", "", "a mask"},
		{"a label and a mask for a PIN", "OK|2|Kod: ****-****-1234|tamam", KindUnusable, "", "", "a mask"},
		{"a mask glued to the last digits for a PIN", "OK|2|••••1234|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of X's glued to the last digits for a PIN", "OK|2|XXXXXXXXXXXX1234|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of short groups for a PIN", "OK|2|XXX-XXX-1234|tamam", KindUnusable, "", "", "a mask"},
		{"a label and an em dash for a PIN", "OK|2|PIN: —|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a label and none for a PIN", "OK|2|PIN: yok|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a label and a null for a PIN", "OK|2|Kod: null|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a password's label for a PIN", "OK|2|Şifre:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a serial's label for a PIN", "OK|2|Seri No:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a label with a suffix for a PIN", "OK|2|PIN'iniz:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a number's label for a PIN", "OK|2|Pin Numarası:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a voucher's label for a PIN", "OK|2|Voucher:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a numbered label for a PIN", "OK|2|PIN 1:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a mask showing the last group for a PIN", "OK|2|XXXX-XXXX-XXXX-1234|tamam", KindUnusable, "", "", "a mask"},
		{"a mask of stars showing the last group for a PIN", "OK|2|****-****-1234|tamam", KindUnusable, "", "", "a mask"},
		{"a label with no value for a PIN", "OK|2|PIN:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a label with a dash for a PIN", "OK|2|Kod: -|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a Turkish label with no value for a PIN", "OK|2|Pin Kodunuz:|tamam", KindUnusable, "", "", "the PIN's name"},
		{"the PIN's name with a Turkish capital İ for a PIN", "OK|2|PİN KODU|tamam", KindUnusable, "", "", "the PIN's name"},
		{"a no-break space's reference for a PIN", "OK|2|&nbsp;|İşlem tamamlandı", KindUnusable, "", "", "markup"},
		{"a character reference in the PIN", "OK|2|AB12&#8211;CD34|x", KindUnusable, "", "", "markup"},
		{"dashes for a PIN", "OK|2|--|İşlem tamamlandı", KindUnusable, "", "", "neither a letter nor a digit"},
		{"a Windows-1254 en dash for a PIN", "OK|2| \x96 |\xddşlem tamamland\xfd", KindUnusable, "", "", "neither a letter nor a digit"},
		{"an em dash for a PIN", "OK|2| — |İşlem tamamlandı", KindUnusable, "", "", "neither a letter nor a digit"},
		{"no PIN, after PHP said it read none", "<br />\n<b>Notice</b>:  Undefined variable: pin in <b>/home/bayi/servis/pin_kontrol.php</b> on line <b>33</b><br />\nOK|2| |İşlem tamamlandı",
			KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP 8 said it read none", "OK|2||tamam\nWarning: Undefined array key \"epin_kodu\" in /var/www/servis/pin_kontrol.php on line 20",
			KindUnusable, "", "", "undefined PIN"},
		// A panel's error handler or die(mysqli_error()) printing inline
		// where the PIN goes: saved, each was the customer's PIN and the
		// order approved.
		{"PHP's warning for a PIN", "OK|2|Warning: Undefined variable $pin in /var/www/x.php on line 12|Tamamlandi", KindUnusable, "", "", "an error message"},
		{"PDO's error for a PIN", "OK|2|SQLSTATE[HY000] [2002] Connection refused|x", KindUnusable, "", "", "an error message"},
		{"PHP 5's notice for a PIN, unprefixed", "OK|2|Undefined index: pin|x", KindUnusable, "", "", "an error message"},
		{"PHP 8's warning for a PIN, unprefixed", "OK|2|Undefined array key \"pin\"|x", KindUnusable, "", "", "an error message"},
		{"PHP's fatal error for a PIN, unprefixed", "OK|2|Call to a member function fetch() on bool|x", KindUnusable, "", "", "an error message"},
		{"a mysql_ function's complaint for a PIN", "OK|2|mysql_fetch_array() expects parameter 1 to be resource, boolean given|x", KindUnusable, "", "", "an error message"},
		{"MySQL's refusal for a PIN", "OK|2|Access denied for user 'bayi'@'localhost' (using password: YES)|x", KindUnusable, "", "", "an error message"},
		{"an uncaught exception for a PIN", "OK|2|Uncaught PDOException: could not find driver|x", KindUnusable, "", "", "an error message"},
		{"a missing table for a PIN", "OK|2|Table 'shop.epin' doesn't exist|x", KindUnusable, "", "", "an error message"},
		{"a missing column for a PIN", "OK|2|Unknown column 'pin' in 'field list'|x", KindUnusable, "", "", "an error message"},
		{"MySQL gone for a PIN", "OK|2|Can't connect to MySQL server on 'localhost' (10061)|x", KindUnusable, "", "", "an error message"},
		{"a deadlock for a PIN", "OK|2|Deadlock found when trying to get lock; try restarting transaction|x", KindUnusable, "", "", "an error message"},
		{"PostgreSQL's error for a PIN", "OK|2|ERROR:  relation \"epin\" does not exist|x", KindUnusable, "", "", "an error message"},
		{"SQL Server's error for a PIN", "OK|2|[Microsoft][ODBC Driver 17 for SQL Server]Invalid object name 'epin'|x", KindUnusable, "", "", "an error message"},
		{"Oracle's error for a PIN", "OK|2|ORA-00942: table or view does not exist|x", KindUnusable, "", "", "an error message"},
		{"an SQLSTATE without brackets for a PIN", "OK|2|SQLSTATE: 42S02|x", KindUnusable, "", "", "an error message"},
		{"PHP's notice of an array for a PIN", "OK|2|Array to string conversion|x", KindUnusable, "", "", "an error message"},
		{"a TypeError for a PIN", "OK|2|TypeError: count(): Argument #1 must be of type Countable|x", KindUnusable, "", "", "an error message"},
		{"a framework's exception for a PIN", "OK|2|RuntimeException: Unable to connect to database|x", KindUnusable, "", "", "an error message"},
		{"no database for a PIN", "OK|2|No database selected|x", KindUnusable, "", "", "an error message"},
		{"a null column for a PIN", "OK|2|Column 'pin' cannot be null|x", KindUnusable, "", "", "an error message"},
		{"PostgreSQL's refused login for a PIN", "OK|2|FATAL:  password authentication failed for user \"bayi\"|x", KindUnusable, "", "", "an error message"},
		{"PostgreSQL's refused grant for a PIN", "OK|2|ERROR:  permission denied for table epin|x", KindUnusable, "", "", "an error message"},
		{"MySQL out of sync for a PIN", "OK|2|Commands out of sync; you can't run this command now|x", KindUnusable, "", "", "an error message"},
		// Two rows at the panel for one referans: neither answer is the order's.
		{"a PIN and a cancellation", "OK|3| |İşlem iptal edildi\nOK|2|AAAA-1111-2222|İşlem tamamlandı", KindUnusable, "", "", "answered twice, differently"},
		{"two PINs", "OK|2|AAAA-1111-2222|tamam\n<br />\n<b>Notice</b>: x on line 3<br />\nOK|2|BBBB-3333-4444|tamam", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation and a PIN on one line, as HTML", "OK|3| |İşlem iptal edildi<br>OK|2|AAAA-1111-2222|İşlem tamamlandı<br>", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN and a cancellation on one line, as HTML", "OK|2|AAAA-1111-2222|İşlem tamamlandı<br />OK|3| |İşlem iptal edildi", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation after a line of markup", "OK|2|AAAA-1111-2222|tamam\n<br />OK|3| |iptal", KindUnusable, "", "", "answered twice, differently"},
		{"two answers a bare CR apart", "OK|2|AAAA-1111-2222|tamam\rOK|3| |iptal", KindUnusable, "", "", "answered twice, differently"},
		// Two answers with nothing between them: the first's description
		// would hold the second, PIN and all.
		{"a cancellation with a PIN glued to it", "OK|3| |iptalOK|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN with a cancellation glued to it", "OK|2|ABCD-EFGH-5554|teslimOK|3| |iptal", KindUnusable, "", "", "answered twice, differently"},
		{"a waiting answer and a PIN a space apart", "OK|1| |bekliyor OK|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN and a bare waiting answer glued", "OK|2|ABCD-EFGH-5554|teslimOK|1", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation with a PIN glued to it, in lower case", "OK|3| |iptalok|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation with a PIN glued to it, in lower case after a space", "OK|3| |iptal ok|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN glued to a lower-case cancellation", "OK|2|ABCD-EFGHok|3| |iptal", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN glued to a description's second line", "OK|3| |iptal\nedildiOK|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation glued after a PHP notice", "OK|2|ABCD-EFGH-5554|teslim\nNotice: x in /a.php on line 3\nfooOK|3| |iptal", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN of two lines glued to another", "OK|2|AAAA-1111|teslimOK|2|AAAA-1111<br />\nBBBB-2222|teslim", KindUnusable, "", "", "answered twice, differently"},
		// Glue behind what reading an answer passes over: a no-break space,
		// a vertical tab, a bidi mark (inside "OK" too), a soft hyphen.
		{"a PIN glued behind a no-break space", "OK|3| |iptalOK\u00a0|2|AB12-CD34|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN glued behind a vertical tab", "OK|3| |iptalOK|\v2|AB12-CD34|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN glued behind a Windows-1254 no-break space", "OK|3| |iptalOK\xa0|2|AB12-CD34|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a PIN glued with a bidi mark in OK", "OK|3| |iptalO\u200eK|2|AB12-CD34|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a bare waiting answer glued behind a bidi mark", "OK|3| |iptal\u200eOK|1", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation glued to a PIN behind a no-break space", "OK|2|AB12-CD34OK|\u00a03| |iptal", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation on a line after a soft hyphen", "OK|2|AB12-CD34|teslim\r\n\xadOK|\xa03| |iptal", KindUnusable, "", "", "answered twice, differently"},
		{"another PIN on a line after a word joiner", "OK|2|AB12-CD34|teslim\n\u2060OK|\u200e2|ZZ99-YY88|teslim", KindUnusable, "", "", "answered twice, differently"},
		// A description's word and bar that read as an answer: held for a
		// person rather than a guess.
		{"a description of a word ending in ok, a bar and a number", "OK|2|AAAA-1111|Stok|2|adet", KindUnusable, "", "", "answered twice, differently"},

		{"a cancellation with a PIN glued to it, a status of two digits", "OK|3| |iptalOK|02|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation without a description, a PIN glued to it", "OK|3|OK|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a cancellation, a space, a PIN glued to it", "OK|3| OK|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"a waiting answer without a description, a PIN glued to it", "OK|1|OK|2|ABCD-EFGH-5554|teslim", KindUnusable, "", "", "answered twice, differently"},
		{"two PINs of several lines each", "OK|2|AAAA-1111\nBBBB-2222|tamam\nOK|2|AAAA-1111\nCCCC-3333|tamam", KindUnusable, "", "", "answered twice, differently"},
		{"two PINs of several lines each, as nl2br writes them", "OK|2|AAAA-1111<br />\nBBBB-2222|tamam\nOK|2|AAAA-1111<br />\nCCCC-3333|tamam", KindUnusable, "", "", "answered twice, differently"},
		{"no PIN, after PHP said it read no PINKodu", "Warning: Undefined array key \"PINKodu\" in /a.php on line 7\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP said it read no pinler", "Warning: Undefined array key \"pinler\" in /a.php on line 7\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP said it read no pinKodu", "Notice: Undefined index: pinKodu in /a/servis/pin_kontrol.php on line 7\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP said it read no userPin", "Notice: Undefined variable: userPin in /a.php on line 7\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		// A PIN in UTF-8 beside words in Windows-1254: read either way, its
		// letters may be a code znet never issued (helper-178).
		{"a UTF-8 PIN beside Windows-1254 words", "OK|2|ÜNİ12-ÖZ34|Te\xfeekk\xfcrler", KindUnusable, "", "", "read as UTF-8 too"},
		{"a UTF-8 PIN of lower-case letters beside Windows-1254 words", "OK|2|KIRMIZI-ıı12|\xfeekil", KindUnusable, "", "", "read as UTF-8 too"},
		{"a UTF-8 PIN of Latin-1 letters beside Windows-1254 words", "OK|2|CAFÉ-12AB|Te\xfeekk\xfcrler", KindUnusable, "", "", "read as UTF-8 too"},
		// PHP saying the row the PIN comes from was not there, or a code's
		// key or a column by its number (helper-178's bodies).
		{"no PIN, after PHP read an offset of a null row", "<br />\n<b>Warning</b>:  Trying to access array offset on value of type null in /home/bayi/servis/pin_kontrol.php on line 22<br />\nOK|2||İşlem tamamlandı", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP read a property of a null row", "<br />\n<b>Warning</b>:  Attempt to read property \"pin\" on null in /home/bayi/servis/pin_kontrol.php on line 22<br />\nOK|2||İşlem tamamlandı", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP 5 read a property of a non-object", "Notice: Trying to get property 'kod' of non-object in /a.php on line 22\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after a fetch from a failed query", "<br />\n<b>Warning</b>:  mysqli_fetch_assoc() expects parameter 1 to be mysqli_result, bool given in /home/bayi/servis/pin_kontrol.php on line 21<br />\nOK|2||İşlem tamamlandı", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP read an offset of a bool", "PHP Warning:  Trying to access array offset on value of type bool in /a.php on line 22\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP 8 read an offset of true", "Warning: Trying to access array offset on true in /a.php on line 22\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP 8 read a property of an array", "Warning: Attempt to read property \"pin\" on array in /a.php on line 22\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP read a string's offset", "Warning: Uninitialized string offset 2 in /a.php on line 22\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP read no kodu", "Notice: Undefined index: kodu in /a.php on line 9\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, a null row read inside the answer", "OK|2| |\nWarning: Trying to access array offset on value of type null in /a.php on line 5\nYuklendi", KindUnusable, "", "", "undefined PIN"},
		{"no PIN, after PHP 5 read no MySQL result", "Warning: mysql_num_rows(): supplied argument is not a valid MySQL result resource in /a.php on line 20\nOK|2| |tamam", KindUnusable, "", "", "undefined PIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParsePinStatus([]byte(tt.body))
			e := asError(t, err)
			if e.Kind != tt.kind || e.Op != OpCheckPin {
				t.Fatalf("got kind %v op %q (%v), want %v %q", e.Kind, e.Op, err, tt.kind, OpCheckPin)
			}
			if !reflect.DeepEqual(ps, PinStatus{}) {
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

// A short dealer password is bound to turn up inside genuine PINs and
// balances. Such a value is delivered whole; only free text is scrubbed.
func TestValueContainingAShortPasswordIsDelivered(t *testing.T) {
	tests := []struct {
		password, body string
		want           PinStatus
	}{
		{"1234", "OK|2|AB12-34CD-1234|İşlem tamamlandı", PinStatus{Status: StatusDone, PIN: "AB12-34CD-1234", Description: "İşlem tamamlandı"}},
		{"1234", "OK|2|1234-5678-9012|tamam", PinStatus{Status: StatusDone, PIN: "1234-5678-9012", Description: "tamam"}},
		{"1234", "OK|2|99123456|tamam", PinStatus{Status: StatusDone, PIN: "99123456", Description: "tamam"}},
		{"1234", "OK|2| \tAB12-1234 \r|tamam", PinStatus{Status: StatusDone, PIN: "AB12-1234", Description: "tamam"}},
		{"1234", "OK|2|1234 5678 1234|tamam", PinStatus{Status: StatusDone, PIN: "1234 5678 1234", Description: "tamam"}},
		{"55", "OK|2|5555 5512 3455|tamam", PinStatus{Status: StatusDone, PIN: "5555 5512 3455", Description: "tamam"}},
		{"ab12", "OK|2|XYab12Z-9|tamam", PinStatus{Status: StatusDone, PIN: "XYab12Z-9", Description: "tamam"}},
		{"Şifre1", "OK|2|GÜL-Şifre1-ÇAM|tamam", PinStatus{Status: StatusDone, PIN: "GÜL-Şifre1-ÇAM", Description: "tamam"}},
		{"12345678", "OK|2|0012345678-X|tamam", PinStatus{Status: StatusDone, PIN: "0012345678-X", Description: "tamam"}},
		// A word that only ends like one naming a password is no echo.
		{"1234", "OK|2|KOMPASS 1234-AB|tamam", PinStatus{Status: StatusDone, PIN: "KOMPASS 1234-AB", Description: "tamam"}},
		{"1234", "OK|2|1234 sifre AB12|tamam", PinStatus{Status: StatusDone, PIN: "1234 sifre AB12", Description: "tamam"}},
		{"2024", "OK|2|Battle Pass 2024-7781-AC|tamam", PinStatus{Status: StatusDone, PIN: "Battle Pass 2024-7781-AC", Description: "tamam"}},
		// Inside a code, glued to its digits or one of its equal groups, a
		// short password is a coincidence beside a label's colon or the
		// groups' dots too (helper-258: a 4-digit password held such PINs).
		// Beside an expiry ("SKT: 31.12.2026", password 2026) or a list's
		// comma it cannot be told from an echo, and is refused.
		// helper-261's: groups parted by spaces after a label, a label
		// glued on, a list's marker, an expiry after the code, the password
		// at a code's edge, a sentence's full stop, a list of codes.
		{"5678", "OK|2|Kod: 1234 5678 9012 3456|ok", PinStatus{Status: StatusDone, PIN: "Kod: 1234 5678 9012 3456", Description: "ok"}},
		{"5678", "OK|2|PIN:1234-5678-9012-3456|ok", PinStatus{Status: StatusDone, PIN: "PIN:1234-5678-9012-3456", Description: "ok"}},
		{"5678", "OK|2|1) 1234 5678 9012 3456|ok", PinStatus{Status: StatusDone, PIN: "1) 1234 5678 9012 3456", Description: "ok"}},
		{"5678", "OK|2|1234 5678 9012 3456 (SKT 31.12.2027)|ok", PinStatus{Status: StatusDone, PIN: "1234 5678 9012 3456 (SKT 31.12.2027)", Description: "ok"}},
		{"5678", "OK|2|Kod: 12345678-90123456|ok", PinStatus{Status: StatusDone, PIN: "Kod: 12345678-90123456", Description: "ok"}},
		{"5678", "OK|2|Kod: 5678ABCD9012EF34|ok", PinStatus{Status: StatusDone, PIN: "Kod: 5678ABCD9012EF34", Description: "ok"}},
		{"5678", "OK|2|Kod: ABCD9012EF345678|ok", PinStatus{Status: StatusDone, PIN: "Kod: ABCD9012EF345678", Description: "ok"}},
		{"5678", "OK|2|Serial: M12345678 PIN: 5678ABCD90|ok", PinStatus{Status: StatusDone, PIN: "Serial: M12345678 PIN: 5678ABCD90", Description: "ok"}},
		{"5678", "OK|2|PIN: ABCD-9012-EF34-5678.|ok", PinStatus{Status: StatusDone, PIN: "PIN: ABCD-9012-EF34-5678.", Description: "ok"}},
		{"5678", "OK|2|1234-5678-90AB,1234-5678-90CD|ok", PinStatus{Status: StatusDone, PIN: "1234-5678-90AB,1234-5678-90CD", Description: "ok"}},
		// A label the size of a group before dashed groups (helper-264's).
		{"1905", "OK|2|Kodu 1905-7786-4481-2093 (SKT: 31.12.2026)|Tamam", PinStatus{Status: StatusDone, PIN: "Kodu 1905-7786-4481-2093 (SKT: 31.12.2026)", Description: "Tamam"}},
		{"1905", "OK|2|Epin 1905-7786-4481-2093, Seri: 123456789|Tamam", PinStatus{Status: StatusDone, PIN: "Epin 1905-7786-4481-2093, Seri: 123456789", Description: "Tamam"}},
		{"AB12", "OK|2|Kod: AB12 CD34 EF56 GH78|ok", PinStatus{Status: StatusDone, PIN: "Kod: AB12 CD34 EF56 GH78", Description: "ok"}},
		// helper-263's: a label's space before dashed groups, groups of
		// five, a run of six, a list's marker, codes in a list.
		{"1234", "OK|2|Kod: 1234-5678-9012-3456|ok", PinStatus{Status: StatusDone, PIN: "Kod: 1234-5678-9012-3456", Description: "ok"}},
		{"1234", "OK|2|Razer Gold PIN: 1234-5678-9012-3456|ok", PinStatus{Status: StatusDone, PIN: "Razer Gold PIN: 1234-5678-9012-3456", Description: "ok"}},
		{"1234", "OK|2|PUBG 60 UC: 1234-5678-9012|ok", PinStatus{Status: StatusDone, PIN: "PUBG 60 UC: 1234-5678-9012", Description: "ok"}},
		{"1234", "OK|2|#1 1234-5678-9012-3456|ok", PinStatus{Status: StatusDone, PIN: "#1 1234-5678-9012-3456", Description: "ok"}},
		{"1234", "OK|2|AB12-CD34-EF56, 1234-GH78-IJ90|ok", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56, 1234-GH78-IJ90", Description: "ok"}},
		{"1234", "OK|2|Kod: A1234-BCDEF-GHIJK|ok", PinStatus{Status: StatusDone, PIN: "Kod: A1234-BCDEF-GHIJK", Description: "ok"}},
		{"1234", "OK|2|Kod: 812345-678901|ok", PinStatus{Status: StatusDone, PIN: "Kod: 812345-678901", Description: "ok"}},
		{"1905", "OK|2|Kod: 3319057719052210|ok", PinStatus{Status: StatusDone, PIN: "Kod: 3319057719052210", Description: "ok"}},
		{"1905", "OK|2|3319.0577.1905.2210|ok", PinStatus{Status: StatusDone, PIN: "3319.0577.1905.2210", Description: "ok"}},
		{"4567", "OK|2|Serial: M0123456789 Pin: 12345678901234|ok", PinStatus{Status: StatusDone, PIN: "Serial: M0123456789 Pin: 12345678901234", Description: "ok"}},
		{"5678", "OK|2|ABCD_5678_EFGH|ok", PinStatus{Status: StatusDone, PIN: "ABCD_5678_EFGH", Description: "ok"}},
		// The description is free text: scrubbed as ever, next to the PIN kept whole.
		{"1234", "OK|2|AB12-34CD-1234|istek: kod=D1&sifre=1234&id=7", PinStatus{Status: StatusDone, PIN: "AB12-34CD-1234", Description: "istek: kod=D1&sifre=REDACTED&id=7"}},
		// Where the description repeats the PIN, the repetition stays whole,
		// for the caller to mask like the PIN (watch.HidePIN); half scrubbed,
		// it would slip past the mask.
		{"1234", "OK|2|AB12-34CD-1234|Kodunuz: AB12-34CD-1234; sifre=1234", PinStatus{Status: StatusDone, PIN: "AB12-34CD-1234", Description: "Kodunuz: AB12-34CD-1234; sifre=REDACTED"}},
		{"1234", "OK|2|1234 5678 1234|1234 5678 1234 / 1234", PinStatus{Status: StatusDone, PIN: "1234 5678 1234", Description: "1234 5678 1234 / REDACTED"}},
		{"1234", "OK|2|XY-1234|XY-12345 XY-123", PinStatus{Status: StatusDone, PIN: "XY-1234", Description: "XY-12345 XY-123"}},
		// A waiting or cancelled answer's PIN field is no PIN: a short
		// password in it is the password, scrubbed where the description
		// repeats it, and the field is no code to mask the description by.
		{"hunter7", "OK|1|D1-hunter7|Token D1-hunter7 bekliyor", PinStatus{Status: StatusWaiting, Description: "Token D1-REDACTED bekliyor"}},
		{"1234", "OK|3|AB12 1234|Iptal: AB12 1234", PinStatus{Status: StatusCancelled, Description: "Iptal: AB12 REDACTED"}},
		// The scrubber's mark is no longer read as the password.
		{"1234", "OK|2|REDACTED-77|tamam", PinStatus{Status: StatusDone, PIN: "REDACTED-77", Description: "tamam"}},
		// A password holding '|' splits no field: its echo stays one piece
		// of the description, scrubbed whole.
		{"ab|12", "OK|1| |istek sifre=ab|12 tamam", PinStatus{Status: StatusWaiting, PIN: "", Description: "istek sifre=REDACTED tamam"}},
		// A NUL byte hides the password from no one.
		{"1234", "OK|1| |sifre=12\x0034", PinStatus{Status: StatusWaiting, PIN: "", Description: "sifre=REDACTED"}},
		// After "ok|", the password is no second answer's status.
		{"hunter7", "OK|2|AB12-CD34|Stok|hunter7|x", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "Stok|REDACTED|x"}},
		{"hunter7", "OK|2|AB12-CD34|Bayi:ahmetok|hunter7", PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "Bayi:ahmetok|REDACTED"}},
	}
	for _, tt := range tests {
		got, err := parsePinStatus([]byte(tt.body), newScrubber(tt.password))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("password %q, %q: got %+v, %v; want %+v", tt.password, tt.body, got, err, tt.want)
		}
	}
	for password, balance := range map[string]string{"55": "12755.23", "1234": "1234.00", "12": "-120.12", "7": "1700.7"} {
		got, err := parseBalance([]byte("OK|"+balance+"\r\n"), newScrubber(password))
		if err != nil || got != balance {
			t.Errorf("password %q, balance %q: got %q, %v", password, balance, got, err)
		}
	}
}

// A short password inside a longer number or word is there by chance, and
// the text keeps it: REDACTED in "Siparis 173REDACTED183", the order's
// referans, which check prints whole beside it, spelt the password
// (helper-352). An echo, escaped or named, is scrubbed still.
func TestAShortPasswordInsideALongerWordIsNoEcho(t *testing.T) {
	for _, tt := range []struct{ password, body, want string }{
		{"3829", "OK|1| |Siparis 1733829183 isleniyor", "Siparis 1733829183 isleniyor"},
		{"3829", "OK|1| |Siparis 3829174412 isleniyor", "Siparis 3829174412 isleniyor"},
		{"1", "OK|1| |Siparis 1733829183 isleniyor", "Siparis 1733829183 isleniyor"},
		{"ab12", "OK|1| |Kampanya xab12y", "Kampanya xREDACTEDy"}, // numbers only (helper-360)
		{"3829", "OK|1| |istek sifre=3829&kod=D1", "istek sifre=REDACTED&kod=D1"},
		{"3829", "OK|1| |istek sifre%3D3829%26kod", "istek sifre%3DREDACTED%26kod"},
		{"3829", "OK|1| |istek sifre%3d3829", "istek sifre%3dREDACTED"},
		{"3829", `OK|1| |{"q":"sifre\u003d3829"}`, `{"q":"sifre\u003dREDACTED"}`},
		{"3829", "OK|1| |istek sifre3829 bekliyor", "istek sifreREDACTED bekliyor"},
		{"3829", "OK|1| |istek 3829 bekliyor", "istek REDACTED bekliyor"},
		{"3829", "OK|1| |istek 38291 bekliyor", "istek 38291 bekliyor"},
		{"ABcd", "OK|1| |istek xabcdy", "istek xREDACTEDy"}, // not as typed: an echo's case
		// Escaped, each escape ending in letters or digits glued to the
		// password (helper-356).
		{"3829", "OK|1| |donus: pin_kontrol.php%253Fkod%253Dbayi-7%2526sifre%253D3829", "donus: pin_kontrol.php%253Fkod%253Dbayi-7%2526sifre%253DREDACTED"},
		{"3829", "OK|1| |x%25253D3829", "x%25253DREDACTED"},
		{"3829", "OK|1| |sifre=3D3829", "sifre=3DREDACTED"},
		{"3829", `OK|1| |sifre\0753829`, `sifre\075REDACTED`},
		{"3829", "OK|1| |sifre%u003D3829", "sifre%u003DREDACTED"},
		{"3829", "OK|1| |sifre&amp;#613829", "sifre&amp;#61REDACTED"},
		{"3829", "OK|1| |sifre&#x00003D3829", "sifre&#x00003DREDACTED"},
		{"ab12", "OK|1| |pass=ab12x", "pass=REDACTEDx"},
		{"3829", "OK|1| |Siparis #1733829183 isleniyor", "Siparis #1733829183 isleniyor"},
		{"3829", "OK|1| |Siparis\u00a01733829183", "Siparis 1733829183"}, // a no-break space, cleaned
	} {
		got, err := parsePinStatus([]byte(tt.body), newScrubber(tt.password))
		if err != nil || got.Description != tt.want {
			t.Errorf("password %q, %q: got %+v, %v; want the description %q", tt.password, tt.body, got, err, tt.want)
		}
	}
	// Named inside the run, an escape having lost its backslash or "%",
	// named before it, or behind a mark that shows nothing (helper-358).
	for password, body := range map[string]string{
		"3829": `OK|1| |istek: {"q":"kodu003dbayi-7u0026sifreu003d3829u0026referansu003d5101"}`,
		"Xy9":  "OK|1| |sifreu003dXy9u0026ref",
		"1829": "OK|1| |kod3Dbayi-726sifre3D1829",
		"ab12": "OK|1| |sifre: ab12ab12",
		"4829": "OK|1| |sifre=\u03014829x",
		// Named in the token, across other escapes, or behind a spacing
		// mark (helper-359).
		"3828": `OK|1| |istek: {u0022kodu0022:u0022bayi7u0022,u0022sifreu0022:u00223828u0022}`,
		"ab13": "OK|1| |quot;sifrequot;:quot;ab13quot;",
		"4827": "OK|1| |sifre=\u09034827x",
		"4826": "OK|1| |sifre\u0301: 4826x",
		// With a space after the colon, and a Turkish suffix (helper-360).
		"3825": `OK|1| |Istek: {u0022kodu0022: u0022bayi7u0022, u0022sifreu0022: u00223825u0022}`,
		"Xy8":  `OK|1| |Istek: {u0022sifreu0022: u0022Xy8u0022}`,
		"ab14": "OK|1| |Sifre olarak ab14yi girdiniz, bayi kodu bayi7",
	} {
		got, err := parsePinStatus([]byte(body), newScrubber(password))
		if err != nil || strings.Contains(got.Description, password) {
			t.Errorf("password %q, %q: got %+v, %v; want the password REDACTED", password, body, got, err)
		}
	}
	_, err := parsePinStatus([]byte("3|Kayit bulunamadi: 17334521"), newScrubber("4521"))
	if err == nil || !strings.Contains(err.Error(), "17334521") {
		t.Errorf("password \"4521\", a refusal naming 17334521: got %v, want the number whole", err)
	}
}

// A PIN a description repeats with other separators than its field's is
// left whole where a group of it is a short password, as a repeat spelt
// alike is: REDACTED inside, it was no longer the PIN the caller masks,
// and its other groups went out in clear (helper-358).
func TestAPINRepeatedWithOtherSeparatorsKeepsItsGroups(t *testing.T) {
	for _, tt := range []struct{ pin, description string }{
		{"1234-3829-5678-9012", "Kodunuz: 1234 3829 5678 9012"},
		{"123438295678", "Kodunuz: 1234-3829-5678"},
		{"1234-3829-5678-9012", "Kodunuz: 1234 - 3829 - 5678 - 9012"},
	} {
		got, err := parsePinStatus([]byte("OK|2|"+tt.pin+"|"+tt.description), newScrubber("3829"))
		if err != nil || got.PIN != tt.pin || got.Description != tt.description {
			t.Errorf("PIN %q, description %q: got %+v, %v; want both as they stand", tt.pin, tt.description, got, err)
		}
	}
	// Not as a repeat: the password between two numbers apart.
	got, _ := parsePinStatus([]byte("OK|2|1234-3829-5678-9012|Kod 1234 ve sifre 3829"), newScrubber("3829"))
	if strings.Contains(got.Description, "3829") {
		t.Errorf("the password named beside part of the PIN: %q, want it REDACTED", got.Description)
	}
}

// A code held back that holds a short password by chance is masked as any
// other: held back as the description shows it, REDACTED inside, or whole
// where the password is a number's digits by chance. Left out of the
// codes held back, the rest of it went out in clear (helper-356).
func TestAWithheldCodeHoldingAShortPasswordIsWithheld(t *testing.T) {
	for _, tt := range []struct{ code, password string }{
		{"QW7R9TZK3829HJDX", "5555"},
		{"QW7R9TZK3829HJDX", "3829"},
		{"QW7R9TZKHJDX3829", "3829"},
		{"4821382956781234", "3829"},
	} {
		got, err := parsePinStatus([]byte("OK|1|"+tt.code+"|Siparis "+tt.code+" hazirlaniyor"), newScrubber(tt.password))
		shown := strings.TrimSuffix(strings.TrimPrefix(got.Description, "Siparis "), " hazirlaniyor")
		if err != nil || !slices.Contains(got.Withheld, shown) {
			t.Errorf("code %s, password %q: got %+v, %v; want the code as the description shows it among those held back", tt.code, tt.password, got, err)
		}
	}
}

// A password that is one of the answer's own words (the "OK" every answer
// starts with, an order status, an error code) leaves them readable: they
// are matched as sent, and only free text is scrubbed of it.
func TestPasswordThatIsOneOfTheAnswersWords(t *testing.T) {
	tests := []struct {
		password, body string
		want           PinStatus
	}{
		{"OK", "OK|2|AB12-CD34-EF56|tamam", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56", Description: "tamam"}},
		{"ok", "ok|1| |Bekliyor", PinStatus{Status: StatusWaiting, PIN: "", Description: "Bekliyor"}},
		{"K", "OK|3| |İptal", PinStatus{Status: StatusCancelled, PIN: "", Description: "İptal"}},
		{"2", "OK|2|AB12-CD34-EF56|tamam 2 adet", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56", Description: "tamam REDACTED adet"}},
		{"1", "OK|1| |sira 1", PinStatus{Status: StatusWaiting, PIN: "", Description: "sira REDACTED"}},
		{"OK", "<br />\n<b>Warning</b>: x on line 1<br />\nOK|2|AB12-CD34-EF56|tamam", PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56", Description: "tamam"}},
	}
	for _, tt := range tests {
		got, err := parsePinStatus([]byte(tt.body), newScrubber(tt.password))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("password %q, %q: got %+v, %v; want %+v", tt.password, tt.body, got, err, tt.want)
		}
	}
	if got, err := parseBalance([]byte("OK|12755.23"), newScrubber("OK")); err != nil || got != "12755.23" {
		t.Errorf("password \"OK\", balance: got %q, %v", got, err)
	}
	_, err := parsePinStatus([]byte("3|Hatalı istek, sifre=3"), newScrubber("3"))
	var zerr *Error
	if !errors.As(err, &zerr) || zerr.Kind != KindRejected || strings.Contains(zerr.Message, "=3") {
		t.Errorf("password \"3\", a rejection with code 3: got %#v, want a rejection whose message is scrubbed", err)
	}
}

// A PIN or balance field that is, or carries, an echo of the password is
// never returned, and the error says so without a trace of the password.
func TestValueEchoingThePasswordIsRefused(t *testing.T) {
	pins := []struct{ password, field string }{
		{"1234", "1234"},
		{"1234", " 1234 "},
		{"1234", "1234-1234"},
		// Padding that shows nothing is no PIN of its own around the password.
		{"1234", "\x011234\x02"},
		{"1234", "\t1234\u00a0"},
		{"1234", "1234\u200b"},
		{"1234", "sifre=1234"},
		{"1234", "AB12-sifre=1234"},
		{"1234", "kod=D1&sifre=1234&tahsilat_api_islem_id=7"},
		{"1234", "sifre%3D1234"},
		{"1234", "%31%32%33%34"},
		{"1234", "AB-%31234"},
		{"1234", "&#49;&#50;&#51;&#52;"},
		{"1234", "AB-&#x31;234"},
		{"1234", `\u0031234-X`},
		{"ab12", "PIN-AB12"},
		{"ab12", "PIN-Ab12"},
		{"kapı9", "X-KAPI9"},
		{"İzmir9", "X-izmir9"},
		{"İzmir9", "X-i\u0307zmir9"},
		{"İzmir9", "X-İZMİR9"},
		{"şifre9", "X-&scedil;ifre9"},
		{"şifre9", "X-%C5%9Fifre9"},
		{"şifre9", "X-%FEifre9"},
		// Too long to be there by chance, or made of what no PIN has.
		{"plainpass1", "PIN-plainpass1"},
		{"12/34", "AB-12/34"},
		{"12 34", "12 34"},
		// The field boundary cannot be told from a password holding '|'.
		{"ab|12", "sifre=ab|12"},
		{"12|34", "AB12|34CD"},
		// The request echoed in words, the password named before it
		// (a security adversary's find: saved as the PIN and delivered).
		{"1234", "kod bayi7 sifre 1234"},
		{"1234", "kod bayi sifre 1234 islem 91"},
		{"1234", "SIFRE 1234 KOD 55"},
		{"1234", "Şİfreniz 1234 X"},
		{"1234", "bayi7 ŞIFRE  1234"},
		{"gizli7", "sifre gizli7 x"},
		{"1234", "parola 1234-AB"},
		{"1234", "password 1234-AB"},
		{"1234", "AB pwd 1234"},
		// Any space, as html_entity_decode leaves &nbsp;, or a dash.
		{"1234", "kod bayi-42 sifre\u00a01234"},
		{"1234", "sifre\u20031234 X"},
		{"1234", "sifre-1234 X"},
		{"Ab12cd", "sifre\u00a0Ab12cd X9"},
		// Echoes with no name for the password, in a path, a URL, a log
		// line, a list or behind an unknown label: the values they join
		// stand apart (helper-260's, delivered with 3baddd3).
		{"1234", "/servis/pin_kontrol.php/bayi7/1234/55501"},
		{"1234", "http://bayi.site.com.tr/servis/bayi7/1234/55501"},
		{"1234", "GET /servis/pin_kontrol.php/bayi7/1234 HTTP/1.1"},
		{"1234", "bayi7:1234"},
		{"1234", "bayi7/1234"},
		{"1234", "bayi7.1234.55501"},
		{"1234", "bayi7_1234_55501"},
		{"1234", "bayi7#1234"},
		{"1234", "55501,bayi7,1234"},
		{"1234", "(bayi7, 1234, 55501)"},
		{"1234", "bayi7 (1234)"},
		{"1234", "Passwort: 1234"},
		{"1234", "PW: 1234 Kod: bayi7"},
		{"1234", "Kod: bayi7 / Key: 1234"},
		{"gizli12", "bayi7,gizli12,55501"},
		{"Gizli-99", "bayi7.Gizli-99"},
		{"Gizli 12", "bayi7:Gizli 12"},
		{"ab-12", "bayi7/ab-12/55501"},
		// Two groups are no code's run of groups; an expiry's year stands
		// apart as an echo's value does.
		{"5678", "Pin: 1234-5678"},
		{"2026", "1234567890123456 SKT: 31.12.2026"},
		{"1234", "/bayi/12345/1234"},
		{"1234", "servis/pin_kontrol/ab12/1234/1001"},
		{"1234", "C:/ab12/1234/1001"},
		{"1234", "1001/1234/1001"},
		{"1234", "Giriş: ab12:1234:1001"},
		// A panel repeating the password more often than any field holds
		// it by chance (each occurrence a pass over its neighbours).
		{"12", strings.Repeat("12.", 65) + "X9"},
		// A name ending a longer word.
		{"1234", "bayiSifre 1234"},
		{"1234", "apiPassword 1234 X"},
		{"1234", "dealerPwd-1234 X"},
		// Named across a colon, an equals sign, a slash or a bracket, as a
		// PIN's label may now stand beside a coincidence.
		{"1234", "Şifre: 1234 X9"},
		{"1234", "Kod: bayi7 SIFRE:1234"},
		{"1234", "sifre/1234 AB"},
		{"1234", "kod bayi7 parola (1234) AB"},
		{"1234", "Password: 1234, PIN: 77AB"},
		{"1234", "AB12 sifre=1234"},
	}
	for _, tt := range pins {
		body := "OK|2|" + tt.field + "|tamam"
		got, err := parsePinStatus([]byte(body), newScrubber(tt.password))
		assertRefusedEcho(t, body, tt.password, tt.field, !reflect.DeepEqual(got, PinStatus{}), err, KindUnusable, "znet's PIN field repeats the dealer password")
	}
	balances := []struct{ password, field string }{
		{"1234", "1234"},
		{"55", "55.55"},
		{"1234", "-1234"},
		{"1234", "sifre=1234"},
		{"1234", "%31%32%33%34"},
		{"123456789", "123456789.00"},
	}
	for _, tt := range balances {
		body := "OK|" + tt.field
		got, err := parseBalance([]byte(body), newScrubber(tt.password))
		assertRefusedEcho(t, body, tt.password, tt.field, got != "", err, KindUnintelligible, "znet's balance field repeats the dealer password")
	}
}

func assertRefusedEcho(t *testing.T, body, password, field string, returned bool, err error, kind Kind, says string) {
	t.Helper()
	if err == nil || returned {
		t.Errorf("password %q, %q: returned a value (err %v), want the answer refused", password, body, err)
		return
	}
	if k, _ := KindOf(err); k != kind {
		t.Errorf("password %q, %q: %v, want it refused as %v", password, body, err, kind)
	}
	msg := err.Error()
	if strings.Contains(msg, password) || strings.Contains(msg, strings.TrimSpace(field)) || !strings.Contains(msg, says) {
		t.Errorf("password %q, %q: error %q, want %q and no trace of the password", password, body, msg, says)
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

// Old PHP panels print messages about themselves (markup, or plain lines
// such as "Warning: ... on line 9", over several lines if their text has
// line breaks) before and after the answer, sometimes after a byte order
// mark. The answer is the first line after them, to the next of them: a
// multi-code PIN read from its last line made its second code a rejection
// and the PIN the error's message; a rejection is its one line, so that
// an answer after it does not become its message; and a line that starts
// like no answer is no answer, never a rejection found further down.
func TestTheAnswerAmongPHPsOwnLines(t *testing.T) {
	done := PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam"}
	twoCodes := PinStatus{Status: StatusDone, PIN: "SECRETPIN6-AAAA 9876543210987654", Description: "Kod"}
	for _, tt := range []struct {
		body       string
		want       PinStatus
		kind       Kind   // for an error: its kind
		message    string // for a rejection: its message
		notShowing string // for an error: what it must not show
	}{
		{body: "<br />\n<b>Deprecated</b>: mysql_connect(): deprecated in <b>/home/bayi/servis/pin_kontrol.php</b> on line <b>12</b><br />\nOK|2|AB12-CD34|tamam", want: done},
		{body: "\nWarning: session_start(): open failed in /tmp on line 3\r\nOK|2|AB12-CD34|tamam\r\n", want: done},
		{body: "<br />\n<b>Notice</b>: x<br />\nOK|2|AB12-CD34|tamam\n<br />\n<b>Notice</b>: shutdown on line 0<br />", want: done},
		{body: "Deprecated: a\nOK|2|AB12-CD34|tamam\nFatal error: b in /a.php on line 7\n", want: done},
		{body: "Warning: x in /a.php on line 3\nOK|1\nWarning: y in /a.php on line 9\n", want: PinStatus{Status: StatusWaiting}},
		{body: "OK|1| |Bekliyor\nPHP Notice: z in /a.php on line 4", want: PinStatus{Status: StatusWaiting, Description: "Bekliyor"}},
		// Messages over several lines, up to their "on line N".
		{body: "<br />\n<b>Warning</b>:  file_get_contents(http://x): HTTP/1.1 404 Not Found\r\n in <b>/home/bayi/servis/pin_kontrol.php</b> on line <b>12</b><br />\nOK|2|AB12-CD34|tamam", want: done},
		{body: "Warning: file_get_contents(http://x): HTTP/1.1 404 Not Found\r\n in /home/bayi/servis/pin_kontrol.php on line 12\nOK|2|AB12-CD34|tamam", want: done},
		{body: "Warning: x\n12|abc DIGITPIPE in /a.php on line 4\nOK|2|AB12-CD34|tamam", want: done},
		{body: "Warning: x\nOK|2|AB12-CD34|Turkcell on line 5", want: PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "Turkcell on line 5"}},
		// Byte order marks, in UTF-8 and in a Windows-1254 body.
		{body: "\nWarning: x in /x.php on line 9\n\xef\xbb\xbfOK|2|AB12-CD34|tamam \xfd", want: PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam ı"}},
		{body: "\xef\xbb\xbf\xef\xbb\xbfOK|2|AB12-CD34|tamam \xfd", want: PinStatus{Status: StatusDone, PIN: "AB12-CD34", Description: "tamam ı"}},
		{body: "\ufeff\ufeff", kind: KindUnauthorized},
		// A PIN of two codes, one a line.
		{body: "<br />\n<b>Warning</b>: x<br />\nOK|2|SECRETPIN6-AAAA\n9876543210987654|Kod", want: twoCodes},
		{body: "\ufeff\ufeffOK|2|SECRETPIN6-AAAA\n9876543210987654|Kod", want: twoCodes},
		{body: "<br />\n<b>Warning</b>: x<br />\n\ufeffOK|2|SECRETPIN6-AAAA\n9876543210987654|Kod", want: twoCodes},
		{body: "\u200bOK|2|SECRETPIN6-AAAA\n9876543210987654|Kod", want: twoCodes},
		{body: "<br />\nOK |2|SECRETPIN6-AAAA\n9876543210987654|Kod", want: twoCodes},
		// No line the parser can place: no answer, and no rejection.
		{body: "<br />\nx OK|2|SECRETPIN6-AAAA\n9876543210987654|Kod", kind: KindUnintelligible, notShowing: "98765"},
		{body: "<br />\nx OK |2|SECRETPIN6-AAAA\n9876543210987654|Kod", kind: KindUnintelligible, notShowing: "98765"},
		{body: "<br />\nO\u00adK|2|SECRETPIN6-AAAA\n9876543210987654|Kod", kind: KindUnintelligible, notShowing: "98765"},
		// Rejections: their one line, whatever their message holds.
		{body: "<br />\n<b>Deprecated</b>: x on line 3<br />\n4|Sipariş yok|12345", kind: KindRejected, message: "Sipariş yok|12345"},
		{body: "4|Sipariş yok|\nWarning: y in /var/www/api.php on line 9", kind: KindRejected, message: "Sipariş yok|"},
		{body: "Warning: x\n3|Hatalı şifre\nWarning: y in /var/www/api.php on line 9", kind: KindRejected, message: "Hatalı şifre"},
		{body: "9|Beklenen biçim:\nOK|2|XXXX-XXXX|Açıklama", kind: KindRejected, message: "Beklenen biçim:"},
		{body: "3|Sipariş bulunamadı\r\nOK|2|SECRETPIN6-AAAA|İşlem tamamlandı", kind: KindRejected, message: "Sipariş bulunamadı"},
		// The same with nothing between them, as PHP prints a refusal it
		// does not exit after (a hostile-panel adversary's find: the PIN
		// was saved, the cancellation applied).
		{body: "3|Sipariş bulunamadıOK|2|SECRETPIN6-AAAA|İşlem tamamlandı", kind: KindRejected, message: "Sipariş bulunamadı"},
		{body: "3|IP yetkisizOK|3| |İptal", kind: KindRejected, message: "IP yetkisiz"},
		{body: "3|Hatalı istek OK|2|SECRETPIN6-AAAA|x", kind: KindRejected, message: "Hatalı istek"},
		{body: "1|OK|3| |iptal", kind: KindRejected},
	} {
		ps, err := ParsePinStatus([]byte(tt.body))
		if tt.kind == 0 {
			if err != nil || !reflect.DeepEqual(ps, tt.want) {
				t.Errorf("ParsePinStatus(%q) = %+v, %v; want %+v", tt.body, ps, err, tt.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind != tt.kind || !reflect.DeepEqual(ps, PinStatus{}) ||
			tt.kind == KindRejected && e.Message != tt.message || tt.notShowing != "" && strings.Contains(e.Error(), tt.notShowing) {
			t.Errorf("ParsePinStatus(%q) = %+v, %v; want %v %q", tt.body, ps, err, tt.kind, tt.message)
		}
	}

	// A password that is a word of PHP's own hides none of its lines.
	body := "\nWarning: x in /x.php on line 9\nOK|2|AB12-CD34|tamam"
	if ps, err := parsePinStatus([]byte(body), newScrubber("Warning")); err != nil || !reflect.DeepEqual(ps, done) {
		t.Errorf("password Warning, %q: %+v, %v; want done", body, ps, err)
	}
	if balance, err := parseBalance([]byte("OK|12755.23\nOK|99.00"), newScrubber("pw")); err == nil {
		t.Errorf("two balances in one body: %q, want an error", balance)
	}
	if balance, err := parseBalance([]byte("\nWarning: Tablo bulunamad\xfd in /x.php on line 3\n\xef\xbb\xbfOK|12755.23"), newScrubber("pw")); err != nil || balance != "12755.23" {
		t.Errorf("a balance after a warning and a byte order mark: %q, %v", balance, err)
	}
	// The same answer twice, echoing the password each time, is one answer.
	repeated := "OK|2|AB12-CD34|istek kod=D1&sifre=Gizli2024\r\nOK|2|AB12-CD34|istek kod=D1&sifre=Gizli2024\r\n"
	if ps, err := parsePinStatus([]byte(repeated), newScrubber("Gizli2024")); err != nil || ps.PIN != "AB12-CD34" {
		t.Errorf("a repeated answer echoing the password: %+v, %v; want done with its PIN", ps, err)
	}
	// A cancelled order's PIN field is not read: an echo there refuses nothing.
	if ps, err := parsePinStatus([]byte("OK|3|sifre=Gizli99|iptal"), newScrubber("Gizli99")); err != nil || ps.Status != StatusCancelled {
		t.Errorf("a cancelled order with an echo in its PIN field: %+v, %v; want cancelled", ps, err)
	}
}

// A code a waiting or cancelled answer's words name ("Kodunuz: ...") is
// the customer's PIN, as one in its PIN field is: withheld, to be masked.
// A refusal's words lose it. A number no label names as a code (a player
// id, an amount, a short error code) is the shop's to read.
func TestALabelledCodeInAnAnswersWordsIsWithheld(t *testing.T) {
	const code = "QW7R-9TZK-ABCD-8HJD"
	for body, want := range map[string]string{
		"OK|1| |Kodunuz: " + code + " hazırlanıyor":  code,
		"OK|3| |İptal edildi, PİN: " + code:          code,
		"OK|1| |ŞİFRE: AB12CD34EF":                   "AB12CD34EF",
		"OK|1| |Oyuncu ID: 123456789 yükleniyor":     "",
		"OK|1| |Tutar 1050,00 TL, hata kodu 42":      "",
		"OK|1| |Sipariş alındı":                      "",
		"OK|1| |istek: kod=BAYI-1234&sifre=REDACTED": "",
	} {
		ps, err := ParsePinStatus([]byte(body))
		if err != nil || strings.Join(ps.Withheld, " ") != want {
			t.Errorf("%q: withheld %q, %v; want %q", body, ps.Withheld, err, want)
		}
	}
	_, err := ParsePinStatus([]byte("3|Bu işlem zaten onaylandı, kod: " + code))
	if e := asError(t, err); strings.Contains(e.Message, "9TZK") || !strings.Contains(e.Message, "zaten onaylandı") {
		t.Errorf("refusal's words %q: want them without the code", e.Message)
	}
}

// A refusal of thousands of labelled codes, as long as a body may be.
func BenchmarkHideLabelledCodeInALongRefusal(b *testing.B) {
	refusal := []byte(manyCodesRefusal())
	for b.Loop() {
		_, _ = ParsePinStatus(refusal)
	}
}

// A card's serial and its PIN, each after its own label, a comma between
// them ("Seri No: ..., Şifre: ..."), are two codes the description names:
// the PIN must be withheld, not only the serial before it. Nor may "No."
// (Turkish's abbreviation, "Seri No.: ...") or a comma right after the
// label ("Kodunuz, ...") let the code through.
func TestEveryLabelledCodeInAnAnswersWordsIsWithheld(t *testing.T) {
	const serial, pin = "12345678901234", "QW7R-9TZK-ABCD-8HJD"
	for _, body := range []string{
		"OK|1| |Seri No: " + serial + ", Şifre: " + pin + " hazırlanıyor",
		"OK|3| |İptal edildi. Kod 1: ZX8C-1VBN-MLKJ-7HGF, Kod 2: " + pin,
		"OK|1| |Seri No.: " + pin + " yükleniyor",
		"OK|1| |Kodunuz, " + pin + " hazırlanıyor",
		// The PIN field's code withheld, the description names another.
		"OK|3|ZX8C-1VBN-MLKJ-7HGF|İptal edildi, yeni kod: " + pin,
	} {
		ps, err := ParsePinStatus([]byte(body))
		if err != nil || !slices.Contains(ps.Withheld, pin) {
			t.Errorf("%q: withheld %q, %v; want %q among what is withheld", body, ps.Withheld, err, pin)
		}
	}
	for _, body := range []string{
		"3|Seri No: " + serial + ", Şifre: " + pin + " zaten kullanıldı",
		"3|Seri No.: " + pin + " zaten kullanıldı",
		"3|Kodunuz, " + pin + " zaten onaylandı",
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); strings.Contains(e.Message, "9TZK") {
			t.Errorf("refusal %q: its words %q keep the PIN", body, e.Message)
		}
	}
}

// A refusal loses a labelled code's pieces, not every string of digits
// that holds one of them: "1000" of a code "1000 2000 3000 4000" is not
// the balance 21000.00's, and a piece "1" of "Kod: 1 ..." not every 1 of
// the message. The README: amounts around a code are left out.
func TestARefusalLosesItsCodeNotTheAmountsBesideIt(t *testing.T) {
	for body, keep := range map[string][]string{
		"3|Kod: 1000 2000 3000 4000 kullanılmış, bakiye 21000.00 TL, sipariş 41000": {"21000.00", "41000"},
		"3|Kod: 1 QW7R9TZKABCD8HJD zaten onaylı; tutar 150 TL, bakiye 1100.50":      {"150 TL", "1100.50"},
	} {
		_, err := ParsePinStatus([]byte(body))
		e := asError(t, err)
		for _, k := range keep {
			if !strings.Contains(e.Message, k) {
				t.Errorf("refusal %q reads %q: %q is lost", body, e.Message, k)
			}
		}
	}
}

// A refusal or a cancellation quoting, with no label before it, the code
// of an order znet delivered already: in clear, it reached the order's
// last error, the logs and the events' provider message. An IP address,
// a date or a list of numbers beside it is what the operator reads the
// refusal for, and stays.
func TestACodeInGroupsWithoutALabelIsMasked(t *testing.T) {
	for body, keep := range map[string][]string{
		"3|Siparis zaten teslim edildi ZX98-YW76-VU54-TS32":   {"zaten teslim edildi"},
		"3|Bu siparis zaten tamamlandi: QWER-7788-ZXCV-9911.": {"zaten tamamlandi"},
		"3|\"ab12_cd34_ef56\" kullanildi, IP 192.168.100.200": {"192.168.100.200"},
		"3|Paketler 100/250/500 ve 1234.5678.9012 stokta yok": {"100/250/500", "1234.5678.9012"},
		// A panel's or shop's reference in groups is the operator's to read.
		"3|STM-050-TRY urunu ORD-123-456 siparisinde tukendi, ref abc_123_def": {"STM-050-TRY", "ORD-123-456", "abc_123_def"},
		"3|Siparis ORDR-2026-0042, paket TRY-100-250-500 tukendi":              {"ORDR-2026-0042", "TRY-100-250-500"},
		"3|Siparis zaten teslim edildi.ZX98-YW76-VU54-TS32":                    {"teslim edildi."},
		// En dashes, a Turkish suffix, a glued word, a link's parameter
		// and Turkish letters leave the code a code.
		"3|Kullanildi: ZX98–YW76–VU54–TS32'yi tekrar istemeyin":     {"tekrar istemeyin"},
		"3|edildi,ZX98-YW76-VU54-TS32 ve ?c=QWER-7788-ZXCV-9911/TR": {"edildi"},
		"3|ÇEK1-2345-ĞÜŞ9 iade":                                     {"iade"},
	} {
		_, err := ParsePinStatus([]byte(body))
		shown := asError(t, err).Message
		for _, code := range []string{"YW76", "7788", "cd34", "2345"} {
			if strings.Contains(shown, code) {
				t.Errorf("refusal %q shows %q", body, shown)
			}
		}
		for _, k := range keep {
			if !strings.Contains(shown, k) {
				t.Errorf("refusal %q shows %q: %q is lost", body, shown, k)
			}
		}
	}
	for body, code := range map[string]string{
		"OK|3| |Iptal edildi, HJKL-4455-MNBV-6677 geri alindi":      "HJKL-4455-MNBV-6677",
		"OK|1| |<b>ZX98-YW76-VU54-TS32</b> 2026-12-05 hazirlaniyor": "ZX98-YW76-VU54-TS32",
		// A done answer's words may name a code besides its PIN: the old one.
		"OK|2|QQ11-WW22-EE33-RR44|Eski kodunuz ZX98-YW76-VU54-TS32 iptal edildi, 2026-12-05": "ZX98-YW76-VU54-TS32",
	} {
		ps, err := ParsePinStatus([]byte(body))
		if err != nil || !slices.Contains(ps.PINsToHide(), code) || slices.Contains(ps.PINsToHide(), "2026-12-05") {
			t.Errorf("%q: codes to hide %q, %v; want %q alone", body, ps.PINsToHide(), err, code)
		}
	}
}

// A refusal as long as a body may be (MaxBodyBytes) that names thousands
// of codes, each in its own clause, loses every one of them. How long it
// takes is BenchmarkHideLabelledCodeInALongRefusal's to measure (a pass
// over the text per code took 25 s).
func TestARefusalNamingManyCodesLosesEachOfThem(t *testing.T) {
	_, err := ParsePinStatus([]byte(manyCodesRefusal()))
	if e := asError(t, err); strings.Contains(e.Message, "A00") {
		t.Errorf("a refusal of many codes keeps some: %.200q", e.Message)
	}
}

// BenchmarkHideLabelledDottedCodesInALongRefusal: each label's clause is
// read again at its dots and commas, from its end, until one reading is a
// code (clauseCodes).
func BenchmarkHideLabelledDottedCodesInALongRefusal(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("3|")
	for i := 0; sb.Len() < MaxBodyBytes-60; i++ {
		fmt.Fprintf(&sb, "kod %04d.%04d.%04d.%04d.%04d.%04d.%04d.%04d, ", i, i+1, i+2, i+3, i+4, i+5, i+6, i+7)
	}
	refusal := []byte(sb.String())
	for b.Loop() {
		_, _ = ParsePinStatus(refusal)
	}
}

func manyCodesRefusal() string {
	var b strings.Builder
	b.WriteString("3|")
	for i := 0; b.Len() < MaxBodyBytes-20; i++ {
		fmt.Fprintf(&b, "kod A%07d, ", i)
	}
	return b.String()
}

// BenchmarkHideAListOfCodesInALongRefusal: one label and a list of codes
// after it, each item read as long as it starts with a code's piece
// (labelledCodes).
func BenchmarkHideAListOfCodesInALongRefusal(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("3|Kodlar: ")
	for i := 0; sb.Len() < MaxBodyBytes-60; i++ {
		fmt.Fprintf(&sb, "AB%02d-CD%04d-EF56&nbsp;GH78, ", i%100, i)
	}
	refusal := []byte(sb.String())
	for b.Loop() {
		_, _ = ParsePinStatus(refusal)
	}
}

// BenchmarkHideAListOfShortCodesInALongRefusal: items as short as
// "A0000001;", each a code to look for; past maxLabelledScan the words
// after the label go whole.
func BenchmarkHideAListOfShortCodesInALongRefusal(b *testing.B) {
	body := refusalOfItems("A%07d;")
	for b.Loop() {
		_, _ = ParsePinStatus(body)
	}
}

// BenchmarkHideAListOfCodesSharingAPieceInALongRefusal: every item's
// second piece, "1", stands thousands of times in the text; it is looked
// for once.
func BenchmarkHideAListOfCodesSharingAPieceInALongRefusal(b *testing.B) {
	body := refusalOfItems("A%07d 1;")
	for b.Loop() {
		_, _ = ParsePinStatus(body)
	}
}

// refusalOfItems is a 64 KB refusal of one label and a list of items.
func refusalOfItems(item string) []byte {
	var sb strings.Builder
	sb.WriteString("3|Kodlar: ")
	for i := 0; sb.Len() < MaxBodyBytes-60; i++ {
		fmt.Fprintf(&sb, item, i)
	}
	return []byte(sb.String())
}

// Past maxLabelledScan a refusal is not shown at all: keeping the text up
// to its first label kept a code quoted there ("AB12-CD34-EF56-GH78 zaten
// kullanıldı; Kodlar: <list>"), which the full pass masks wherever it
// stands.
func TestARefusalNamingTooManyCodesHidesOneBeforeItsFirstLabel(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("3|AB12-CD34-EF56-GH78 zaten kullanıldı; Kodlar: AB12-CD34-EF56-GH78, ")
	for i := 0; sb.Len() < MaxBodyBytes-60; i++ {
		fmt.Fprintf(&sb, "Q%07d, ", i)
	}
	_, err := ParsePinStatus([]byte(sb.String()))
	if err == nil {
		t.Fatal("want a refusal")
	}
	if msg := err.Error(); strings.Contains(msg, "CD34") {
		t.Errorf("code before the first label in clear: %.160q", msg)
	}
}

// slowBodies are 64 KB answers that kept ParsePinStatus busy: codePieces
// marked a letter group beside a kept piece one per pass over all pieces,
// so "ABCD ABCD ... ABCD 1234" took about 2 s (6.4 s as a refusal at
// c0b4c30), from a waiting answer's PIN field (withheldCode), a label's
// clause (clauseCodes) and a refusal (hideWithheldCodes); and 200 distinct
// runs of 1s beside a long one (refusal-dense-pieces).
func slowBodies() map[string][]byte {
	m := map[string][]byte{}
	groups := strings.Repeat("ABCD ", (64<<10-40)/5)
	m["field-letter-groups"] = []byte("OK|1|" + groups + "1234|bekliyor")
	m["label-letter-groups"] = []byte("OK|1| |Kod: " + groups + "1234")
	m["refusal-letter-groups"] = []byte("3|Kod: " + groups + "1234")
	var sb strings.Builder
	sb.WriteString("3|")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&sb, "Kod: %s; ", strings.Repeat("1", 10+i))
	}
	sb.WriteString("x ")
	sb.WriteString(strings.Repeat("1", 64<<10-sb.Len()-10))
	m["refusal-dense-pieces"] = []byte(sb.String())
	// A PIN field of thousands of groups: each token of the answer was
	// read as the start of a row as long, 2 s before maxWordGroups
	// (helper-299).
	m["pin-of-many-groups"] = []byte("OK|2|" + strings.Repeat("123 ", 4096) + "1234|" + strings.Repeat("123 ", (64<<10-16420)/4))
	// Digit groups beside a PIN spaces group, one more than a whole number
	// of its rows: each group began a run of rows read to the end, 17 s
	// at 52f9834 (helper-298).
	m["spaced-pin-digit-groups"] = []byte("OK|2|1234 5678 9012 3456|" + strings.Repeat("1234 ", (64<<10-40)/5/4*4+1))
	return m
}

func BenchmarkParseAnswersOfManyPieces(b *testing.B) {
	for name, body := range slowBodies() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ParsePinStatus(body)
			}
		})
	}
}

// A refusal masked its labelled code only in the shape its label's clause
// wrote it: the same code again without its dashes or spaces, as a panel's
// reference repeats it, was shown, where a waiting answer's description
// loses both (watch.HidePINs reads every shape).
func TestARefusalLosesItsLabelledCodeWithoutItsDashesToo(t *testing.T) {
	for _, body := range []string{
		"3|Kodunuz AB12-CD34-EF56-GH78 zaten kullanildi; ref AB12CD34EF56GH78",
		"3|Kodunuz: 1234 5678 9012 3456 zaten kullanildi (1234567890123456)",
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); strings.Contains(e.Error(), "CD34EF56") || strings.Contains(e.Error(), "56789012") {
			t.Errorf("%q: the refusal shows the code without its dashes: %q", body, e.Error())
		} else if !strings.Contains(e.Error(), "zaten kullanildi") {
			t.Errorf("%q: the refusal's words are lost: %q", body, e.Error())
		}
	}
}

// Each code's form without its dashes cost a pass of its own over the
// refusal, wherever the text had it or not: a refusal of 300 codes, which
// was shown masked, ran out of the masking's bound and was withheld whole,
// its order number with it.
func TestARefusalOfThreeHundredCodesIsStillShownMasked(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("3|sipariş 12345678901 iptal: ")
	for i := range 300 {
		fmt.Fprintf(&sb, "kod AB12-CD34-EF56-%04d; ", i)
	}
	for sb.Len() < MaxBodyBytes-10 {
		sb.WriteString("x ")
	}
	_, err := ParsePinStatus([]byte(sb.String()))
	if e := asError(t, err); !strings.Contains(e.Message, "12345678901") || strings.Contains(e.Message, "EF56") {
		t.Errorf("refusal of 300 codes: %.160q", e.Message)
	}
}

// BenchmarkParseEchoesOfThePasswordsParameter: 64 KiB of the password's
// parameter ("sifre=a ", as JSON, wrapped, marked lists) with the password
// known, which ParsePinStatus's benchmarks above do not look for. Each
// takes about 0.1 s; a look past each value that read on to the text's
// end took 4-6 s.
func BenchmarkParseEchoesOfThePasswordsParameter(b *testing.B) {
	sc := newScrubber("gizliSifre2024!")
	for name, body := range map[string][]byte{
		"values":       refusalOfItems("sifre=a "),
		"json":         []byte("OK|1| |" + strings.Repeat(`"sifre":"a",`, MaxBodyBytes/13)),
		"wrapped":      []byte("OK|1| |" + strings.Repeat("sifre=a<br />\nb&", MaxBodyBytes/17)),
		"marked-items": refusalOfItems("%d. AB12-CD34-EF56-GH78 "),
		"escaped-dump": refusalOfItems("[sifre] =&gt; a%d &quot;sifre&quot;:&quot;b "),
		// Words of "kod" after markup: the markup is blanked once, not
		// before each word (0.3 s a body so).
		"markup-kod":  []byte("3|" + strings.Repeat("<b>kod", (MaxBodyBytes-2)/6)),
		"markup-kod2": []byte("OK|1| |" + strings.Repeat("<>kod", (MaxBodyBytes-7)/5)),
		// The password's start after each value, read on as the password
		// goes; the form's attributes; the password's characters apart.
		"continued":   refusalOfItems("[sifre] => gizliSifre2%d "),
		"form":        []byte("3|" + strings.Repeat(`name="sifre" a="b" `, (MaxBodyBytes-2)/19)),
		"serialized":  refusalOfItems(`s:5:"sifre";s:15:"gizli%d `),
		"after-whole": []byte("3|sifre=gizliSifre2024!" + strings.Repeat("a", MaxBodyBytes-30)),
		"xdebug":      refusalOfItems("'sifre' <font color='#888a85'>=&gt;</font> <small>string</small> '%d 'pin' <i>=&gt;</i> '"),
		"queries":     []byte("3|" + strings.Repeat("pin=", (MaxBodyBytes-2)/4)),
		"dumped-keys": refusalOfItems(`"epin_kodu":"AB12-%d",[pin] => `),
		"gaps":        []byte("3|" + strings.Repeat("g\u00adi\nz<wbr>l\r\ni", (MaxBodyBytes-2)/18)),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _ = parsePinStatus(body, sc)
			}
		})
	}
}

// A code in groups written before a word of "kod" was read from its
// shortest plain reading, its last three groups: the first group (or more,
// of a code of five) stayed in clear in a refusal, and was not withheld in
// a waiting answer.
func TestACodeOfManyGroupsBeforeAKodWordIsMaskedWhole(t *testing.T) {
	for _, body := range []string{
		"3|AB12 CD34 EF56 GH78 kodu zaten kullanildi",
		"3|1234 5678 9012 3456 kodlu siparis iptal",
		"3|ABCD1 EFGH2 IJKL3 MNOP4 QRST5 kodunuz hatali",
	} {
		_, err := ParsePinStatus([]byte(body))
		first := strings.Fields(strings.TrimPrefix(body, "3|"))[0]
		if strings.Contains(errText(err), first) {
			t.Errorf("%q: %q shows the code's first group", body, errText(err))
		}
	}
	ps, err := ParsePinStatus([]byte("OK|1| |AB12 CD34 EF56 GH78 kodunuz hazirlaniyor"))
	if err != nil || !strings.Contains(strings.Join(ps.Withheld, "|"), "AB12") {
		t.Errorf("withheld %q, %v: want the whole code AB12 CD34 EF56 GH78", ps.Withheld, err)
	}
}

// A code written as one word of letters and digits before a word of
// "kod" ("K7Q9M3X8P5Z2 kodlu pin bulunamadi") was no code of groups, and
// stayed in clear in the refusal, the shop's message columns and the
// logs; an order's, a player's or a product's number there stays the
// shop's to read.
func TestAMixedCodeBeforeAKodWordIsMasked(t *testing.T) {
	masked := []refusalWords{
		{"3|Hata: K7Q9M3X8P5Z2 kodlu pin bulunamadi", "K7Q9M3X8P5Z2"},
		{"3|\"7HQ2ZK9W4M\" kodunuz daha once kullanildi", "7HQ2ZK9W4M"},
		{"3|a1b2c3d4e5 kodu gecersiz", "a1b2c3d4e5"},
		// A review's: fewer switches between letters and digits, a
		// backtick, a Turkish suffix.
		{"3|XKQZ8842MNPT kodlu pin kullanildi", "XKQZ8842MNPT"},
		{"3|8842XKQZ5531 kodlu pin kullanildi", "8842XKQZ5531"},
		{"3|ABCD1234EFGH5678 kodlu pin kullanildi", "ABCD1234EFGH5678"},
		{"3|`K7Q9M3X8P5Z2` kodu gecersiz", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2'nin kodu gecersiz", "K7Q9M3X8P5Z2"},
		// A second review's: two groups, a mark before the code.
		{"3|XKQZ8842-MNPT5531 kodlu pin kullanildi", "MNPT5531"},
		{"3|ABCD1234 EFGH5678 kodlu pin kullanildi", "ABCD1234"},
		{"3|No:XKQZ8842MNPT kodlu pin kullanildi", "XKQZ8842MNPT"},
		{"3|#XKQZ8842MNPT kodlu pin kullanildi", "XKQZ8842MNPT"},
	}
	assertMaskedAndKept(t, masked, []refusalWords{
		{"3|SIP20260312001 kodlu siparis iptal edildi", "SIP20260312001"},
		{"3|oyuncu1234567 kodlu oyuncu bulunamadi", "oyuncu1234567"},
		{"3|TR20260312 kodlu siparis zaten onaylandi", "TR20260312"},
		{"3|PUBG1800UC kodlu urun stokta yok", "PUBG1800UC"},
		{"3|SIP-2026-0312 kodlu siparis iptal edildi", "SIP-2026-0312"},
		{"3|PUBG 1800 kodlu urun stokta yok", "PUBG 1800"},
		{"3|Saat 10:00 kodlu kampanya bitti", "Saat 10:00"},
	})
	for body, code := range map[string]string{
		"OK|1| |K7Q9M3X8P5Z2 kodunuz hazirlaniyor":      "K7Q9M3X8P5Z2",
		"OK|3| |ABCD1234-EFGH5678 kodunuz iptal edildi": "ABCD1234-EFGH5678",
	} {
		if ps, err := ParsePinStatus([]byte(body)); err != nil || !slices.Contains(ps.Withheld, code) {
			t.Errorf("%q: withheld %q, %v: want the code %s", body, ps.Withheld, err, code)
		}
	}
}

// A third review's codes before a word of "kod" that stayed in clear: a
// long tag before the code (the window that bounds the reading began in
// it, and its first word, the code, was dropped as cut), an escaped tag
// (read as an entity and its name), groups of capitals alone, a Turkish
// suffix after a code in groups, a word naming the code between it and
// "kod", a JSON-escaped quote. And a two-word reading that took an order's
// number with a product's code masked the number wherever it stood.
func TestCodesBeforeAKodWordInMoreShapesAreMasked(t *testing.T) {
	masked := []refusalWords{
		{`3|<span style="font-weight:bold;color:#c0392b;font-family:monospace;font-size:14px">AB12-CD34-EF56-GH78</span> kodlu pin kullanilmis`, "CD34"},
		{"3|&lt;b&gt;K7Q9M3X8P5Z2&lt;/b&gt; kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|&lt;b&gt;AB12-CD34-EF56-GH78&lt;/b&gt; kodlu pin kullanilmis", "CD34"},
		{"3|1W22 IBRQ EGXQ 7EO2 kodlu pin kullanilmis", "IBRQ"},
		{"3|AB12 CD34 EF56 GH78'in kodu hatali", "AB12"},
		{"3|1234-5678-9012-3456'nın kodu hatali", "5678"},
		{"3|AB12-CD34-EF56-GH78 numaralı kod daha önce kullanılmış", "CD34"},
		{"3|K7Q9M3X8P5Z2 pin kodu hatali", "K7Q9M3X8P5Z2"},
		{`3|{"mesaj":"\"K7Q9M3X8P5Z2\" kodlu pin kullanilmis"}`, "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2 - kodunuz daha once kullanildi", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2: kod kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2\u200b kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
	}
	kept := []refusalWords{
		{"3|Siparis 4521 PB60 kodlu urun stokta yok, siparis 4521 iptal", "siparis 4521 iptal"},
		{"3|PUBG Mobile 60UC 1800 kodlu paket yok, bakiye 1800 TL", "bakiye 1800 TL"},
		{"3|5 nolu kod gecersiz", "5 nolu kod"},
		{"3|Hata: kod gecersiz - kodunuzu kontrol edin", "Hata: kod gecersiz"},
	}
	assertMaskedAndKept(t, masked, kept)
}

// A fourth review's. Escaped tags read tags first everywhere hid a code in
// an escaped link's attributes from the masking ("&lt;a href=…&gt;");
// groups of capitals read as a code's took an order's number and a
// product's ("4521 PUBG 1800"), and so did a word naming the code or a
// dash taking numbers alone; a product's name with a word after its
// number, or two words of different shapes, read as a code. And groups
// ending in capitals alone stayed in clear.
func TestCodesBeforeAKodWordAndTheShopsWordsBesideThem(t *testing.T) {
	masked := []refusalWords{
		{`3|Kodunuz AB12-CD34-EF56-GH78 kullanilmis &lt;a href="/pin/AB12-CD34-EF56-GH78"&gt;detay&lt;/a&gt;`, "CD34"},
		{"3|3F7KQ 9ZX2M PLWQT kodlu pin kullanilmis", "9ZX2M"},
		{"3|1W22 IBRQ 7EO2 EGXQ kodlu pin kullanilmis", "7EO2"},
	}
	kept := []refusalWords{
		{"3|Siparis 4521 PUBG 1800 kodlu urun stokta yok, siparis 4521 iptal", "siparis 4521 iptal"},
		{"3|HATA 1234 5678 kodlu islem", "HATA 1234 5678"},
		{"3|Referans 123 456 789 numaralı kod bulunamadi", "123 456 789"},
		{"3|Toplam 250 500 750 - kodunuz gecersiz", "250 500 750"},
		{"3|Zula5000Altin kodlu urun stokta yok", "Zula5000Altin"},
		{"3|ROBLOX-800-Robux kodlu urun stokta yok", "ROBLOX-800-Robux"},
		{"3|Siparis A1234 PB600 kodlu urun yok, siparis A1234 iptal", "siparis A1234 iptal"},
	}
	assertMaskedAndKept(t, masked, kept)
}

// A fifth review's codes before a word of "kod" that stayed in clear:
// glued to the word by a dash, an underscore or a slash, grouped by an
// underscore or a slash, in low quotes or stars, two naming words between,
// and all but the last of several codes the word names. A list's first
// codes are what an error cut to its first 200 characters shows.
func TestCodesBeforeAKodWordGluedListedOrStarredAreMasked(t *testing.T) {
	assertMaskedAndKept(t, []refusalWords{
		{"3|K7Q9M3X8P5Z2_kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2-kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2/kodu hatali", "K7Q9M3X8P5Z2"},
		{"3|AB12_CD34_EF56_GH78 kodlu pin kullanilmis", "CD34"},
		{"3|AB12/CD34/EF56/GH78 kodlu pin kullanilmis", "CD34"},
		{"3|„K7Q9M3X8P5Z2“ kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|**K7Q9M3X8P5Z2** kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2 seri numaralı kod kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2 ve A8B7C6D5E4F3 kodlu pinler kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2, A8B7C6D5E4F3, Q1W2E3R4T5Y6 kodlu pinler kullanilmis", "A8B7C6D5E4F3"},
		{"3|AB12-CD34-EF56-GH78 ile JK12-LM34-NP56-QR78 kodlu pinler kullanilmis", "CD34"},
		// Its review's: codes of a batch alike only in length, a list
		// longer than the window a code is looked for in, more ways of
		// listing, of gluing and of naming.
		{"3|7KQ2MX9PZ3LD ve P4TN8W2QJ6RX kodlu pinler kullanilmis", "7KQ2MX9PZ3LD"},
		{"3|X7K2-9QMZ-P3L8-4TNW ile B2Q9-XK7M-4PZT-L8N3 kodlu pinler kullanilmis", "9QMZ"},
		{"3|" + strings.Repeat("Q1W2E3R4T5Y6, ", 8) + "A1B2C3D4E5F6 kodlu pinler kullanilmis", "Q1W2E3R4T5Y6"},
		{"3|" + strings.Repeat("Q1W2E3R4T5Y6,", 5000) + "A1B2C3D4E5F6 kodlu pinler kullanilmis", "Q1W2E3R4T5Y6"},
		{"3|7KQ2MX9PZ3LD ya da P4TN8W2QJ6RX kodlu pin kullanilmis", "7KQ2MX9PZ3LD"},
		{"3|7KQ2MX9PZ3LD; P4TN8W2QJ6RX kodlu pin kullanilmis", "7KQ2MX9PZ3LD"},
		{"3|7KQ2MX9PZ3LD + P4TN8W2QJ6RX kodlu pin kullanilmis", "7KQ2MX9PZ3LD"},
		{"3|K7Q9M3X8P5Z2,A8B7C6D5E4F3 kodlu pinler kullanilmis", "A8B7C6D5E4F3"},
		{"3|7KQ2MX9PZ3LD&nbsp;ve&nbsp;P4TN8W2QJ6RX kodlu pin kullanilmis", "7KQ2MX9PZ3LD"},
		{"3|K7Q9M3X8P5Z2 seri numaralı pin kodu kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2–kodu hatali", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2:kodu hatali", "K7Q9M3X8P5Z2"},
		{"3|__K7Q9M3X8P5Z2__ kodlu pin kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|<td>Kod</td><td>AB12-CD34-EF56-GH78</td> kullanildi", "CD34"},
		// A third review's: a comma before the word that lists, an empty
		// item, a plus without spaces.
		{"3|K7Q9M3X8P5Z2, A8B7C6D5E4F3, ve Q1W2E3R4T5Y6 kodlu pinler kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2, , A8B7C6D5E4F3 kodlu pinler kullanilmis", "K7Q9M3X8P5Z2"},
		{"3|K7Q9M3X8P5Z2+A8B7C6D5E4F3 kodlu pinler kullanilmis", "K7Q9M3X8P5Z2"},
	}, []refusalWords{
		{"3|SIP_2026_0312 kodlu siparis iptal edildi", "SIP_2026_0312"},
		{"3|2026/03/12 kodlu kampanya bitti", "2026/03/12"},
		{"3|Paket 100/250/500 kodlu urunler stokta yok", "100/250/500"},
		{"3|Bayi 1001/2002/3003 kodlu bayiler askida", "1001/2002/3003"},
		{"3|PUBG-1800-kodlu urun stokta yok", "PUBG-1800"},
		{"3|Windows11Home_kodlu urun stokta yok", "Windows11Home"},
		{"3|PUBG1800UC ve K7Q9M3X8P5Z2 kodlu pinler kullanilmis", "PUBG1800UC"},
		{"3|Siparis 4521 ve 4522 kodlu siparisler iptal", "4521 ve 4522"},
		{"3|SIP20260312001, SIP20260312002 kodlu siparisler iptal", "SIP20260312001, SIP20260312002"},
		{"3|e-kodunuz gecersiz, siparis 4521", "siparis 4521"},
		{"3|SIP20260312001 ve K7Q9M3X8P5Z2 kodlu siparis", "SIP20260312001"},
		{"3|Siparis 4521, K7Q9M3X8P5Z2 kodlu pin kullanilmis", "Siparis 4521"},
		{"3|PUBG1800UC, K7Q9M3X8P5Z2 kodlu pin kullanilmis", "PUBG1800UC"},
		{"3|Siparis tamam.Kodunuz hazir", "Siparis tamam.Kodunuz hazir"},
		{"3|Siparis no:SP12AB34.Kodunuz iletilemedi", "SP12AB34"},
		// The word found at a break's blanked end: read from the break.
		{"3|Toplam 250 250 500<br>Kodunuz iptal edildi, 250 TL iade", "250 TL iade"},
	})
}

// refusalWords is a refusal's body and a text in it: a code that must not
// show in the refusal's error, or words of the shop's that must.
type refusalWords struct{ body, text string }

func assertMaskedAndKept(t *testing.T, masked, kept []refusalWords) {
	t.Helper()
	for _, c := range masked {
		if _, err := ParsePinStatus([]byte(c.body)); strings.Contains(errText(err), c.text) {
			t.Errorf("%q: %q shows the code", c.body, errText(err))
		}
	}
	for _, c := range kept {
		if _, err := ParsePinStatus([]byte(c.body)); !strings.Contains(errText(err), c.text) {
			t.Errorf("%q: %q; want %q kept", c.body, errText(err), c.text)
		}
	}
}

// A code a label names was looked for with the text's tags blanked, as
// it was read: where a link or an attribute of the panel's HTML repeated
// it ("href=…?pin=AB12-…", "data-pin"), it stayed there in clear.
func TestALabelledCodeInsideATagIsMasked(t *testing.T) {
	assertMaskedAndKept(t, []refusalWords{
		{`3|Pin kullanilmis: <a href="/kontrol?pin=AB12-CD34-EF56-GH78">detay</a>`, "CD34"},
		{`3|Kodunuz AB12-CD34-EF56-GH78 kullanilmis <a href="/pin/AB12-CD34-EF56-GH78">detay</a>`, "CD34"},
		{`3|Kodunuz: AB12-CD34-EF56-GH78 <span data-pin="AB12-CD34-EF56-GH78">x</span>`, "CD34"},
	}, []refusalWords{
		{`3|Kodunuz: AB12-CD34-EF56-GH78. <a href="/yardim/iade">yardim</a>`, `<a href="/yardim/iade">yardim</a>`},
	})
}

// A panel that dumps its row (json_encode, print_r, var_export) names
// the code by its key, which a quote, a bracket or an "=" follows, not a
// colon or a space: no label was read, and the PIN went into the error,
// last_error and the logs in clear.
func TestACodeUnderAPINKeyOfADumpIsMasked(t *testing.T) {
	for _, body := range []string{
		`3|{"pin":"AB12-CD34-EF56-GH78","durum":"kullanildi"}`,
		`3|{"epin_kodu":"AB12-CD34-EF56-GH78"}`,
		"3|Array ( [pin] => AB12-CD34-EF56-GH78 [durum] => kullanildi )",
		"3|array ( 'pin' => 'AB12-CD34-EF56-GH78', )",
		"3|hata: pin=AB12-CD34-EF56-GH78 zaten kullanildi",
		`OK|3| |{"pin":"AB12-CD34-EF56-GH78","durum":"iptal"}`,
	} {
		ps, err := ParsePinStatus([]byte(body))
		shown := errText(err)
		if err == nil && !strings.Contains(strings.Join(ps.Withheld, "|"), "AB12-CD34-EF56-GH78") {
			shown = ps.Description // HidePINs masks only what is withheld
		}
		if strings.Contains(shown, "CD34") {
			t.Errorf("%q: %q shows the PIN", body, shown)
		}
	}
}

// A NUL-terminated message in a zero-padded buffer (the message, a NUL,
// what the buffer held before, and padding) is no UTF-16: its words were
// kept before readsAsUTF16 counted the padding, which trimming leaves out
// of hadNUL, towards the body's NUL bytes.
func TestAPaddedRefusalKeepsItsWords(t *testing.T) {
	body := "3|Gecersiz referans\x00ns\x00" + strings.Repeat("\x00", 60)
	_, err := ParsePinStatus([]byte(body))
	if e := asError(t, err); !strings.Contains(e.Message, "Gecersiz referans") {
		t.Errorf("%q: %q; want the refusal's words", body, e.Message)
	}
}

// A refusal dumping the card's row in the shapes the password's reading
// knows and the code's label does not: serialize, of an array or of an
// object's property, and Xdebug's HTML var_dump.
func TestACodeUnderAPINKeyOfOtherDumpsIsMasked(t *testing.T) {
	for _, body := range []string{
		`3|a:2:{s:3:"pin";s:19:"AB12-CD34-EF56-GH78";s:5:"durum";s:10:"kullanildi";}`,
		"3|O:4:\"Kart\":1:{s:6:\"\x00*\x00pin\";s:19:\"AB12-CD34-EF56-GH78\";}",
		"3|'pin' <font color='#888a85'>=&gt;</font> <small>string</small> <font color='#cc0000'>'AB12-CD34-EF56-GH78'</font> <i>(length=19)</i>",
	} {
		_, err := ParsePinStatus([]byte(body))
		if strings.Contains(errText(err), "CD34") {
			t.Errorf("%q: %q shows the PIN", body, errText(err))
		}
	}
}

// The longest plain reading before a word of "kod" takes in a number of
// the groups' length before the code (a product's "1800", an amount),
// which is then masked wherever the refusal has it: the shop's words lose
// which product it was.
func TestANumberBeforeACodeBeforeAKodWordIsNotMasked(t *testing.T) {
	body := "3|PUBG 1800 UC: hata. PUBG 1800 1234-5678-9012-3456 kodlu siparis zaten onaylandi"
	_, err := ParsePinStatus([]byte(body))
	if e := asError(t, err); !strings.Contains(e.Message, "1800") || strings.Contains(e.Message, "5678") {
		t.Errorf("%q: %q; want 1800 kept and the code masked", body, e.Message)
	}
}

// A dumped key now labels a code, but print_r and var_dump write a row
// with no comma between its entries: the label's clause ran over the
// whole row, and every piece with a digit in it (the referans, the
// amount, var_dump's "string(8)") and the "=>" between them was read as
// the code's and masked wherever the refusal has it, or withheld with
// the code from a cancelled answer's description. The shop's words lost
// the order's referans and amount, which the operator needs.
func TestADumpedRowKeepsItsReferansAndAmount(t *testing.T) {
	for _, body := range []string{
		"3|Array ( [pin] => AB12-CD34-EF56-GH78 [referans] => 43001234 [tutar] => 35.00 [durum] => kullanildi )",
		`3|array(3) { ["pin"]=> string(19) "AB12-CD34-EF56-GH78" ["referans"]=> string(8) "43001234" ["tutar"]=> string(5) "35.00" }`,
		"3|hata: pin=AB12-CD34-EF56-GH78 referans=43001234 tutar=35.00",
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); !strings.Contains(e.Message, "43001234") || !strings.Contains(e.Message, "35.00") || strings.Contains(e.Message, "CD34") {
			t.Errorf("%q: %q; want the referans and the amount kept, the PIN masked", body, e.Message)
		}
	}
	ps, err := ParsePinStatus([]byte("OK|3| |Array ( [pin] => AB12-CD34-EF56-GH78 [referans] => 43001234 [durum] => iptal )"))
	if err != nil || strings.Contains(strings.Join(ps.Withheld, "|"), "43001234") {
		t.Errorf("withheld %q, %v: want the PIN alone, not the referans", ps.Withheld, err)
	}
}

// A review's finds in reading a dumped row's code (dumpedValue): after
// "pin=" a code in groups apart was cut at its first space, and read as
// none; a value a dump writes after an array's opening, an index or
// var_dump's type was not read; a quoted code before a kod word kept its
// first group (its quote counted in its size); an empty print_r value
// read the next key's referans as the code; and a serialized camelCase
// key ("siparisKodu") named an order number a code.
func TestADumpedCodeIsReadWhereverItsValueStartsAndEnds(t *testing.T) {
	for _, body := range []string{
		"3|Kart kullanilmis: pin=1234 5678 9012 3456",
		"3|hata: pin=AB12 CD34 EF56 GH78 referans=43001234",
		`3|{"pin":["AB12-CD34-EF56-GH78"]}`,
		"3|Array ( [pin] => Array ( [0] => AB12-CD34-EF56-GH78 ) )",
		"3|array(1) { 'pin' => string(19) \"AB12-CD34-EF56-GH78\" }",
		`3|object(Kart)#1 (1) { ["pin":protected]=> string(19) "AB12-CD34-EF56-GH78" }`,
		"3|\"AB12 CD34 EF56 GH78\" kodlu siparis zaten onaylandi",
		"3|(1234 5678 9012 3456) kodlu siparis zaten onaylandi",
		"3|[AB12 CD34 EF56 GH78] kodu kullanilmis",
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); strings.Contains(e.Message, "5678") || strings.Contains(e.Message, "CD34") {
			t.Errorf("%q: %q shows the PIN", body, e.Message)
		}
	}
	if _, err := ParsePinStatus([]byte("3|hata: pin=AB12 CD34 EF56 GH78 referans=43001234")); !strings.Contains(errText(err), "43001234") {
		t.Errorf("%q: want the referans after the code kept", errText(err))
	}
	ps, err := ParsePinStatus([]byte("OK|3| |\"AB12 CD34 EF56 GH78\" kodlu siparis iptal edildi"))
	if err != nil || !slices.Contains(ps.Withheld, "AB12 CD34 EF56 GH78") {
		t.Errorf("withheld %q, %v: want the whole code", ps.Withheld, err)
	}
	for _, body := range []string{
		"3|Array ( [pin] =>  [referans] => 4300123456 [tutar] => 35.00 )",
		`3|a:2:{s:11:"siparisKodu";s:14:"SIP20260312001";s:5:"durum";s:5:"iptal";}`,
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); !strings.Contains(e.Message, "4300123456") && !strings.Contains(e.Message, "SIP20260312001") {
			t.Errorf("%q: %q; want the referans or order number kept", body, e.Message)
		}
	}
	ps, err = ParsePinStatus([]byte("OK|3| |Array ( [pin] =>  [referans] => 4300123456 [durum] => iptal )"))
	if err != nil || len(ps.Withheld) != 0 {
		t.Errorf("withheld %q, %v: want nothing withheld", ps.Withheld, err)
	}
}

// A serialized object's private property is named "\0Kart\0pin"; its NUL
// bytes dropped before anything is read, the key is "Kartpin". The key
// narrowed to "\*?" (for "siparisKodu") no longer reads it, and a refusal
// or a cancelled answer shows the PIN the old "[^"]{0,64}?" masked.
func TestASerializedPrivatePropertysCodeIsMasked(t *testing.T) {
	dump := "O:4:\"Kart\":1:{s:9:\"\x00Kart\x00pin\";s:19:\"AB12-CD34-EF56-GH78\";}"
	_, err := ParsePinStatus([]byte("3|" + dump))
	if e := asError(t, err); strings.Contains(e.Message, "CD34") {
		t.Errorf("%q shows the PIN", e.Message)
	}
	ps, err := ParsePinStatus([]byte("OK|3| |" + dump))
	if err != nil || !slices.Contains(ps.Withheld, "AB12-CD34-EF56-GH78") {
		t.Errorf("withheld %q, %v: want the PIN withheld", ps.Withheld, err)
	}
}

// After "pin=" a value is read to the next parameter, or to the clause's
// end where none follows: the referans, an order number and a product's
// name after the code are read as groups of it, and masked.
func TestAQueryCodeLeavesTheWordsAfterItAlone(t *testing.T) {
	for body, keep := range map[string]string{
		"3|pin=AB12-CD34-EF56-GH78 siparis 4300123456 iptal":             "4300123456",
		"3|pin=AB12 CD34 EF56 GH78 ile PUBG 1800 UC siparisi reddedildi": "PUBG 1800 UC",
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); strings.Contains(e.Message, "CD34") || !strings.Contains(e.Message, keep) {
			t.Errorf("%q: %q; want the code masked and %q kept", body, e.Message, keep)
		}
	}
	ps, err := ParsePinStatus([]byte("OK|3| |pin=AB12-CD34-EF56-GH78 siparis 4300123456 iptal"))
	if err != nil || !slices.Equal(ps.Withheld, []string{"AB12-CD34-EF56-GH78"}) {
		t.Errorf("withheld %q, %v: want the code alone", ps.Withheld, err)
	}
}

// var_dump of a nested array, or of an integer, under a code's key: no
// alternative of dumpedCodeLabel reads "[\"pin\"]=> array(1) {" nor
// "[\"pin\"]=> int(…)", and the refusal shows the PIN.
func TestAVarDumpedArrayOrIntegerCodeIsMasked(t *testing.T) {
	for _, body := range []string{
		`3|array(1) { ["pin"]=> array(1) { [0]=> string(19) "AB12-CD34-EF56-GH78" } }`,
		`3|array(1) { ["pin"]=> int(1234567890123456) }`,
	} {
		_, err := ParsePinStatus([]byte(body))
		if e := asError(t, err); strings.Contains(e.Message, "CD34") || strings.Contains(e.Message, "1234567890123456") {
			t.Errorf("%q: %q shows the PIN", body, e.Message)
		}
	}
}

// A description of the same few words over and over, 64 KiB of them,
// withheld tens of thousands of "old codes" (windows of words adding up
// to a code's size), and masking them took seconds an answer, minutes in
// check --order (a review's find). Words that only add up to a code's
// size are none, and a code found again is withheld once.
func TestADescriptionOfManyWordsWithholdsFewOldCodes(t *testing.T) {
	for pin, word := range map[string]string{"AB12-CD34": "A1 ", "AB12 CD34 EF56 GH78": "ZZ99 ", "AB12 CD34": "PUBG 60 UC "} {
		words := strings.Repeat(word, (MaxBodyBytes-200)/len(word))
		ps, err := ParsePinStatus([]byte("OK|2|" + pin + "|Eski kod " + words + " yeni " + pin))
		if err != nil || len(ps.Withheld) > 2 {
			t.Errorf("PIN %q beside %q over and over: %d codes withheld, %v; want at most 2", pin, word, len(ps.Withheld), err)
		}
	}
}

// A done answer's words are masked of an old code like its PIN,
// not of the order's number, a transaction's, a product's or a campaign's
// code, which staff read in providerMessage (a review's find: every one
// of these was masked).
func TestADoneAnswerWithholdsOnlyCodesLikeItsPIN(t *testing.T) {
	const pin = "QQ11-WW22-EE33-RR44"
	for _, words := range []string{
		"Sipariş kodu: 12345678901 onaylandı",
		"Referans kodu: 12345678901, tutar 100 TL",
		"İşlem kodu: 4455667788, bakiye yüklendi",
		"Ürün kodu: RAZER-GOLD-100",
		"Kampanya kodu YILBASI2026",
		"Sipariş ORD-A12-B34-C56",
		"Ödeme kodu: 20261205143200, tarih 2026-12-05 14:32",
	} {
		ps, err := ParsePinStatus([]byte("OK|2|" + pin + "|" + words))
		if err != nil || !slices.Equal(ps.PINsToHide(), []string{pin}) {
			t.Errorf("%q: codes to hide %q, %v; want the PIN alone", words, ps.PINsToHide(), err)
		}
	}
	// The old code in other separators than the PIN's, or one of several
	// codes.
	for body, old := range map[string]string{
		"OK|2|" + pin + "|Eski kodunuz ZX98-YW76-VU54-TS32 iptal edildi, siparis 12345678901": "ZX98-YW76-VU54-TS32",
		"OK|2|QQ11WW22EE33RR44|Eski kodunuz ZX98-YW76-VU54-TS32 iptal edildi":                 "ZX98-YW76-VU54-TS32",
		"OK|2|AAAA-1111 BBBB-2222|Eski kodlariniz: ZX98-YW76, VU54-TS32 iptal edildi":         "ZX98-YW76",
	} {
		ps, err := ParsePinStatus([]byte(body))
		if err != nil || !slices.Contains(ps.PINsToHide(), old) || slices.ContainsFunc(ps.PINsToHide(), func(c string) bool {
			return strings.Contains(c, "4455667788") || strings.Contains(c, "12345678901")
		}) {
			t.Errorf("%q: codes to hide %q, %v; want the old code and no number", body, ps.PINsToHide(), err)
		}
	}
	// Words of a run read as one code beside the PIN: an old code of as
	// many letters and digits as the PIN or one of its codes, mixed, is
	// withheld; a product's name, an amount or a number of another length
	// is not (a review's find).
	for body, want := range map[string][]string{
		"OK|2|AB12-CD34|Eski kod ZZ99-XY12 yeni AB12-CD34":                                     {"AB12-CD34", "ZZ99-XY12"},
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 PUBG Mobile 60 UC, PUBG hesabiniza": {"1234 5678 9012 3456"},
		"OK|2|AB12-CD34|Kodunuz: AB12-CD34 TL50 ORD-123456789 tamam":                           {"AB12-CD34"},
		"OK|2|AB12-CD34|Kodunuz: AB12-CD34 Siparis 12 PUBG 60 UC tamam":                        {"AB12-CD34"},
		// Shaped otherwise than the PIN, or of its spaced groups (a
		// review's finds).
		"OK|2|AB12 CD34 EF56 GH78|Eski kod ZZ99 XY12 QQ77 WW66 yeni AB12 CD34 EF56 GH78": {"AB12 CD34 EF56 GH78", "ZZ99 XY12 QQ77 WW66"},
		"OK|2|AB12-CD34 EF56-GH78|Eski kod ZZ99-XY12 yeni AB12-CD34 EF56-GH78":           {"AB12-CD34 EF56-GH78", "ZZ99-XY12"},
		"OK|2|AB12-CD34|Eski kod ZZ99XY12 yeni AB12-CD34":                                {"AB12-CD34", "ZZ99XY12"},
		"OK|2|AB12CD34|Eski kod ZZ99-XY12 yeni AB12CD34":                                 {"AB12CD34", "ZZ99-XY12"},
		"OK|2|AB12-CD34|Eski kod ZZ99 XY12 yeni AB12-CD34":                               {"AB12-CD34", "ZZ99 XY12"},
		"OK|2|AB12 CD34 EF56 GH78|Eski kod ZZ99-XY12 QQ77-WW66 yeni AB12 CD34 EF56 GH78": {"AB12 CD34 EF56 GH78", "ZZ99-XY12 QQ77-WW66"},
		"OK|2|AB12CD34EF56|Eski kod ZZ99 XY12 QQ77 yeni AB12CD34EF56":                    {"AB12CD34EF56", "ZZ99 XY12 QQ77"},
		"OK|2|AB 12 CD 34|Eski kod ZZ 99 XY 12 yeni AB 12 CD 34":                         {"AB 12 CD 34", "ZZ 99 XY 12"},
		"OK|2|AB12CD34|Kod: PUBG 2024 AB12CD34 tamam":                                    {"AB12CD34", "PUBG 2024"},
		"OK|2|ABCD1234EFGH|Kodunuz: ABCD1234EFGH TL 100 STEAM 2026 tamam":                {"ABCD1234EFGH"},
		"OK|2|AB12CD34EF56|Kodunuz: AB12CD34EF56 VALORANT 1000 VP tamam":                 {"AB12CD34EF56"},
	} {
		ps, err := ParsePinStatus([]byte(body))
		if err != nil || !slices.Equal(ps.PINsToHide(), want) {
			t.Errorf("%q: codes to hide %q, %v; want %q", body, ps.PINsToHide(), err, want)
		}
	}
}

// A top-up's done answer (no PIN) is done whatever its words name: a
// code with a letter in them is withheld, for what zwatch keeps and shows
// of them to be masked of it (it may be the PIN the panel gave there),
// and a number alone, an order's or a transaction's, is not.
func TestATopUpWithholdsTheCodesItsWordsName(t *testing.T) {
	for words, code := range map[string]string{
		"Kodunuz: ZX98-YW76-VU54-TS32, islem kodu 4455667788": "ZX98-YW76-VU54-TS32",
		"Kodunuz: QWPO-ZXMN-8821-7765":                        "QWPO-ZXMN-8821-7765",
		"Seri No: 778812 Şifre: QWPO8821ZX":                   "QWPO8821ZX",
		"Sipariş kodunuz: SP123456, yükleme başarılı":         "SP123456",
		"Kupon: HOSGELDIN10":                                  "HOSGELDIN10",
	} {
		ps, err := ParsePinStatus([]byte("OK|2| - |" + words))
		if err != nil || ps.Status != StatusDone || ps.PIN != "" || !slices.Contains(ps.Withheld, code) {
			t.Errorf("%q: %+v, %v; want a top-up done with no PIN, %q withheld", words, ps, err, code)
		}
	}
	if ps, err := ParsePinStatus([]byte("OK|2| - |Yuklendi, islem kodu 4455667788")); err != nil || ps.Status != StatusDone || len(ps.Withheld) != 0 {
		t.Errorf("a top-up naming a number: %+v, %v; want it done, nothing withheld", ps, err)
	}
}

// A single quotation mark alone, or between a PIN's letters and digits,
// quotes nothing: the answer is used as it came, the mark kept, as
// before the rule against quoted PINs.
func TestAnApostropheThatQuotesNothingKeepsThePIN(t *testing.T) {
	for _, pin := range []string{"AB12'CD34", "AB12-CD34’", "'0012-3456-7890", "QUOT-1234’ABCD", "AB'CD-1234", "AB12 'CD34",
		// Turkish suffixes after apostrophes, in words beside the PIN.
		"Paket B'ye özel kod AB12-CD34, Turkcell'de geçerli", "AB12-CD34 (E'den F'ye tüm operatörler'de)",
		"AB12-CD34 X'e, EF56-GH78 Turkcell'e", "'0012-3456-7890 Turkcell'e özel",
		// Prose with apostrophes and quotes beside the code (a hostile
		// panel adversary's finds).
		"100₺'lik Turkcell kodu: 1234567890123 (Turkcell' e yükleyin)", "Steam (TR)'de geçerli AB12-CD34-EF56 Players' Choice",
		"B'de AB12-CD34 Gamers' Pack", "AB12-CD34 \"PUBG 60 UC\"", "Turkcell`e 1234567890123", "'1234567890 '0987654321",
		"FC '24 Points AB12-CD34 (Players' Pack)", "AB12-CD34 (TR)'de,Steam'de geçerli",
		"\"PUBG 60 UC\" AB12-CD34 \"Türkiye'de geçerli\"", "\"Steam Cüzdan\" AB12-CD34-EF56 \"TR\"",
		"“PUBG 60 UC” AB12-CD34 ‘TR’", "'0012-3456-7890 “TR”", "Kod: “AB12-CD34” (Turkcell’e özel)",
		// A code and its product's name after a colon: the code is no label.
		"AB12-CD34-EF56-GH78: \"PUBG 60 UC\"", "1234567890123 = \"100 TL\""} {
		ps, err := ParsePinStatus([]byte("OK|2|" + pin + "|tamam"))
		if err != nil || ps.PIN != pin {
			t.Errorf("PIN field %q: PIN %q, %v; want it used as it came", pin, ps.PIN, err)
		}
	}
}

// A done answer's PIN field as long as a body may be, of marks and
// letters, each mark a string's opening: quoted reads it once (read from
// each mark, and its tail for labels, it took seconds).
func BenchmarkQuotedOnAFieldOfMarks(b *testing.B) {
	for _, field := range []string{strings.Repeat("'a", MaxBodyBytes/2), strings.Repeat("''", MaxBodyBytes/2), strings.Repeat("“a", MaxBodyBytes/4),
		strings.Repeat(" 'a'", MaxBodyBytes/4)} {
		b.Run(strconv.Itoa(len(field)), func(b *testing.B) {
			for b.Loop() {
				quoted(field)
			}
		})
	}
}

// A done answer whose field after the PIN is another code of its shape is
// an order's codes parted by bars: saving the first alone would approve
// the order with part of what was bought. A field of another kind beside
// the PIN (an order's number, a date, a serial, a product's name, the PIN
// again) is the description's, and the PIN is saved.
func TestCodesPartedByBars(t *testing.T) {
	var nine []string
	for i := range 9 {
		nine = append(nine, fmt.Sprintf("AB%02d-CD34-EF56-GH78", i))
	}
	nineCodes, nineCodesSaved := "OK|2|"+strings.Join(nine, "<br>"), strings.Join(nine, " ")
	refused := []string{
		"OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD|2 adet",
		"OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD|",
		"OK|2|AAAA-1111-BBBB| CCCC-2222-DDDD |x",
		"OK|2|7QKDN-BM4XH-X2LZ5|8RLEO-CN5YI-Y3MA6|9SMFP-DO6ZJ-Z4NB7",
		"OK|2|K7Q9M3X8P5Z2|X2LZ5QKDNBM4|x",
		// Another mark between the groups, invisible ends on either field
		// (helper-260's).
		"OK|2|AAAA-1111-BBBB|CCCC_2222_DDDD|x",
		"OK|2|AAAA-1111-BBBB|CCCC–2222–DDDD|x",
		"OK|2|\ufeffAAAA-1111-BBBB|\ufeffCCCC-2222-DDDD|2 adet",
		"OK|2|AAAA-1111-BBBB\u200b|CCCC-2222-DDDD\u200b|2 adet",
		// Markup, a list's marker, a label, quotes, a list's marks and an
		// empty field before the second code (helper-261's).
		"OK|2|AAAA-1111-BBBB|<br>CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|2) CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|Kod 2: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|\"CCCC-2222-DDDD\"|x",
		"OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD,|x",
		"OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD;EEEE-3333-FFFF|x",
		"OK|2|AAAA-1111-BBBB||CCCC-2222-DDDD|x",
		// The last of a list with nothing after it, grouped digits, and
		// labels on both codes (helper-263's).
		"OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD",
		"OK|2|AB12-CD34-EF56-GH78|IJ90-KL12-MN34-OP56",
		"OK|2|1111 2222 3333 4444|5555 6666 7777 8888|x",
		"OK|2|1234-5678-9012-3456|9876-5432-1098-7654|x",
		"OK|2|Kod 1: AAAA-1111-BBBB|Kod 2: CCCC-2222-DDDD|2 adet",
		"OK|2|1) AAAA-1111-BBBB|2) CCCC-2222-DDDD|",
		// Ungrouped or two-group codes with no bar after the last, a note
		// after each code, a price or a serial between them, the first
		// printed twice (helper-264's).
		"OK|2|J6SD9M4KQ2XTRB7LP3ZA|H2KD8N5RQ7WXTC4MP9YB",
		"OK|2|AB12CD34-EF56GH78|IJ90KL12-MN34OP56",
		"OK|2|X7K2M-9P4Q8-R3T6W (SKT: 31.12.2026)|H2KD8-N5RQ7-WXTC4 (SKT: 31.12.2026)|",
		"OK|2|AAAAA-BBBBB-CCCCC (1/2)|DDDDD-EEEEE-FFFFF (2/2)|",
		"OK|2|AAAAA-BBBBB-CCCCC|Kod: DDDDD-EEEEE-FFFFF (SKT: 31.12.2026)",
		"OK|2|X7K2M-9P4Q8-R3T6W|50.00|H2KD8-N5RQ7-WXTC4|50.00",
		"OK|2|X7K2M-9P4Q8-R3T6W|Seri: 87654321|H2KD8-N5RQ7-WXTC4|Seri: 87654322",
		"OK|2|AAAAA-BBBBB-CCCCC|AAAAA-BBBBB-CCCCC|DDDDD-EEEEE-FFFFF",
		// Codes in lower case or mixed case alike (helper-265's).
		"OK|2|aaaa-1111-bbbb|cccc-2222-dddd",
		"OK|2|AbCd-1111-EfGh|IjKl-2222-MnOp",
		// The PIN again, labelled or with a note, before the second code;
		// rows of more columns, or none repeating (helper-266's).
		"OK|2|AAAA-1111-BBBB|Kod 1: AAAA-1111-BBBB|Kod 2: CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|1) AAAA-1111-BBBB|2) CCCC-2222-DDDD|",
		"OK|2|AAAA-1111-BBBB|#1 AAAA-1111-BBBB|#2 CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|AAAA-1111-BBBB (1/2)|CCCC-2222-DDDD (2/2)",
		"OK|2|AAAA-1111-BBBB|AAAA-1111-BBBB 50 TL|CCCC-2222-DDDD 50 TL",
		"OK|2|X7K2M-9P4Q8-R3T6W|50.00|Seri: 87654321|H2KD8-N5RQ7-WXTC4|50.00|Seri: 87654322",
		"OK|2|X7K2M-9P4Q8-R3T6W|Seri: 9|H2KD8-N5RQ7-WXTC4|Seri: 10",
		"OK|2|X7K2M-9P4Q8-R3T6W|2 adet|H2KD8-N5RQ7-WXTC4|",
		"OK|2|X7K2M-9P4Q8-R3T6W|-|H2KD8-N5RQ7-WXTC4",
		// Labels of more words, one after another, a status's word before
		// the second code.
		"OK|2|AAAA-1111-BBBB|2. Kod: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|PIN Kodu: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|(2/2) CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|İkinci kod: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|IKINCI KOD: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|2. PIN: CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|E-PIN Kodu 2: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|Tamam, CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|İşlem tamamlandı; Kod 2: CCCC-2222-DDDD|x",
		"OK|2|1234-5678-9012-3456|Tamam, Kod 2: 9876-5432-1098-7654|x",
		// The description listing the order's codes, the PIN among them;
		// a status's words before a code without a comma (helper-270's).
		"OK|2|7QKDN-BM4XH-X2LZ5|Kodlarınız: 7QKDN-BM4XH-X2LZ5, 8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|7QKDN-BM4XH-X2LZ5<br>8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|7QKDN-BM4XH-X2LZ5\n8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|1) 7QKDN-BM4XH-X2LZ5 2) 8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|Kod 1: 7QKDN-BM4XH-X2LZ5 Kod 2: 8RLEO-CN5YI-Y3MA6",
		"OK|2|AB12-CD34-EF56-GH78|Siparişiniz tamamlandı. Kodlarınız:<br>1) AB12-CD34-EF56-GH78<br>2) IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|<ul><li>AB12-CD34-EF56-GH78</li><li>IJ90-KL12-MN34-OP56</li></ul>",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 (1/2) IJ90-KL12-MN34-OP56 (2/2)",
		"OK|2|4K7Q9M3X8P5Z2ABC|4K7Q9M3X8P5Z2ABC, 7XJ2LZ5QKDNBM4WY",
		"OK|2|7QKDN-BM4XH-X2LZ5|Tamamlandı: 8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|Başarılı - 8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|Onaylandı 8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5|İşlem Başarılı. 2. Kod: 8RLEO-CN5YI-Y3MA6",
		// Labels in Turkish capitals, a note after the code after a
		// status's word (helper-269's).
		"OK|2|AAAA-1111-BBBB|İKİNCİ KOD: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|PİN KODU: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|BEŞİNCİ KOD: CCCC-2222-DDDD|x",
		"OK|2|AAAA-1111-BBBB|Tamam, CCCC-2222-DDDD (2/2)|x",
		"OK|2|AAAA-1111-BBBB|Tamam, CCCC-2222-DDDD 50 TL|x",
		// A code with its serial or order after it, a label ending its
		// words; a status in capitals before it (helper-272's).
		"OK|2|7QKDN-BM4XH-X2LZ5|Kod 2: 8RLEO-CN5YI-Y3MA6 Seri No: 1002",
		"OK|2|7QKDN-BM4XH-X2LZ5|8RLEO-CN5YI-Y3MA6 Seri: 1002|x",
		"OK|2|7QKDN-BM4XH-X2LZ5|8RLEO-CN5YI-Y3MA6 Sipariş: 55|x",
		"OK|2|7QKDN-BM4XH-X2LZ5 Seri: 1001|8RLEO-CN5YI-Y3MA6 Seri: 1002|x",
		"OK|2|7QKDN-BM4XH-X2LZ5|Kod 1: 7QKDN-BM4XH-X2LZ5 Seri: 1001 Kod 2: 8RLEO-CN5YI-Y3MA6 Seri: 1002",
		"OK|2|1234-5678-9012-3456|1234-5678-9012-3456 Seri: 111, 9876-5432-1098-7654 Seri: 112",
		"OK|2|AB12-CD34-EF56-GH78|ISLEM BASARILI, IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Sipariş ONAYLANDI, IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|ONAYLANDI TAMAM, IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Siparişiniz hazır, IJ90-KL12-MN34-OP56",
		// Codes listed with a product's name, units, an amount, a word or
		// a letter between them; a code serial's of the PIN's shape
		// between (helper-274's).
		"OK|2|AAAA-1111-BBBB|1) Steam 50 TL - AAAA-1111-BBBB 2) Steam 50 TL - CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|Steam 50 TL: AAAA-1111-BBBB, Steam 50 TL: CCCC-2222-DDDD",
		"OK|2|AB12-CD34-EF56-GH78|<li>Steam 50 TL: AB12-CD34-EF56-GH78</li><li>Steam 50 TL: IJ90-KL12-MN34-OP56</li>",
		"OK|2|AAAA-1111-BBBB|Kod 1: AAAA-1111-BBBB 60 UC Kod 2: CCCC-2222-DDDD 60 UC",
		"OK|2|AAAA-1111-BBBB|1. Kod: AAAA-1111-BBBB Tutar: 50 TL 2. Kod: CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|1. Kod: AAAA-1111-BBBB SKT: 31.12.2026 2. Kod: CCCC-2222-DDDD",
		"OK|2|AB12-CD34-EF56-GH78|Kodlarınız: AB12-CD34-EF56-GH78 ve IJ90-KL12-MN34-OP56",
		"OK|2|AAAA-1111-BBBB|a) AAAA-1111-BBBB b) CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|Kod 1 AAAA-1111-BBBB Kod 2 CCCC-2222-DDDD",
		"OK|2|AAAA-1111-BBBB|1. Kart: AAAA-1111-BBBB 2. Kart: CCCC-2222-DDDD",
		"OK|2|AB12-CD34-EF56-GH78|" + strings.Repeat("Kodu oyunda Ayarlar menüsünden kullanabilirsiniz. ", 40) + "Kodlarınız: AB12-CD34-EF56-GH78, IJ90-KL12-MN34-OP56",
		"OK|2|1234-5678-9012-3456|PIN 1: 1234-5678-9012-3456 Seri: 0001-2345-6789-0123 PIN 2: 9876-5432-1098-7654 Seri: 0001-2345-6789-0124",
		// Another code of the PIN's shape named in a sentence, not by a
		// label or a number's word: held for a person, as a half delivery
		// costs the customer more than a look (helper-275's).
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 (bu kod IJ90-KL12-MN34-OP56 kodunun yerine verilmiştir)",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 kodunuz SP12-KL12-MN34-OP56 siparişiniz için oluşturuldu",
		"OK|2|AB12-CD34-EF56-GH78|Kodlarınız: AB12-CD34-EF56-GH78, IJ90-KL12-MN34-OP56. Siparişiniz için teşekkür ederiz.",
		"OK|2|AB12-CD34-EF56-GH78|Pin No: AB12-CD34-EF56-GH78, Pin No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Steam: AB12-CD34-EF56-GH78, Steam: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|PUBG Mobile 60 UC: AB12-CD34-EF56-GH78 PUBG Mobile 60 UC: IJ90-KL12-MN34-OP56",
		"OK|2|AAAA-1111-BBBB|Başarılı: 2. Kod: CCCC-2222-DDDD|2 adet",
		"OK|2|AAAA-1111-BBBB|Tamamlandı: Kod: CCCC-2222-DDDD|2 adet",
		"OK|2|AB12-CD34-EF56-GH78|Kodlarınız (AB12-CD34-EF56-GH78, IJ90-KL12-MN34-OP56)",
		"OK|2|AB12-CD34-EF56-GH78|Steam 50 TL (AB12-CD34-EF56-GH78) Steam 50 TL (IJ90-KL12-MN34-OP56)",
		"OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD sipariş tamamlandı",
		// Labels glued to their codes, codes in a dump or joined by a
		// slash, a word value or a sentence between, a number naming the
		// codes, the PIN's own label before the other (helper-276's).
		"OK|2|AB12-CD34-EF56-GH78|Kod:AB12-CD34-EF56-GH78 Kod:IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|PIN:AB12-CD34-EF56-GH78<br>PIN:IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|1)AB12-CD34-EF56-GH78 2)IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 Kod2=IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|{\"pin\":\"AB12-CD34-EF56-GH78\",\"pin2\":\"IJ90-KL12-MN34-OP56\"}",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78/IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78\\nIJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod 1: AB12-CD34-EF56-GH78 Seri: Yok Kod 2: IJ90-KL12-MN34-OP56 Seri: Yok",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sipariş: Tamamlandı Kod: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Seri: null Kod: IJ90-KL12-MN34-OP56 Seri: null",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 İşlem başarılı. Kod: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 ve IJ90-KL12-MN34-OP56 numaralı kodlarınız hazır",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 ve IJ90-KL12-MN34-OP56 nolu pinleriniz",
		"OK|2|AB12-CD34-EF56-GH78|Seri: AB12-CD34-EF56-GH78 Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kart No: AB12-CD34-EF56-GH78, Kart No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod 1 No: AB12-CD34-EF56-GH78 Kod 2 No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Sipariş 1: AB12-CD34-EF56-GH78 Sipariş 2: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|(AB12-CD34-EF56-GH78) (IJ90-KL12-MN34-OP56)",
		// Labels joined by marks that name a PIN's number, numbers naming
		// cards (helper-277's).
		"OK|2|AB12-CD34-EF56-GH78|Kart_No_1: AB12-CD34-EF56-GH78 Kart_No_2: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod_No_1: AB12-CD34-EF56-GH78, Kod_No_2: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 ve IJ90-KL12-MN34-OP56 nolu kartlarınız",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 ve IJ90-KL12-MN34-OP56 numaralı voucherlarınız",
		// A sentence before the PIN's label, redeeming links, codes in the
		// plural numbered (helper-278's).
		"OK|2|AB12-CD34-EF56-GH78|Teşekkürler! Serial: AB12-CD34-EF56-GH78 Serial: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Siparişiniz hazır Seri: AB12-CD34-EF56-GH78 Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Sipariş No: 12345 Seri: AB12-CD34-EF56-GH78 Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Steam 50TL Seri: AB12-CD34-EF56-GH78, Steam 100TL Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|https://store.steampowered.com/account/redeemwalletcode?code=AB12-CD34-EF56-GH78 https://store.steampowered.com/account/redeemwalletcode?code=IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Diğer kodunuz: https://store.steampowered.com/account/redeemwalletcode?code=IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kullanım: https://store.steampowered.com/account/redeemwalletcode?code=AB12-CD34-EF56-GH78 İkinci kod: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kodlar: AB12-CD34-EF56-GH78 https://x.com/r\\nIJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kodlar: AB12-CD34-EF56-GH78, https://x.com/r?code=AB12-CD34-EF56-GH78,IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78 ve IJ90-KL12-MN34-OP56 numaralı kodlarınız: Steam 50 TL",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78, IJ90-KL12-MN34-OP56 nolu kodlar: aktif",
		// A label of two words the PIN and the other share; a link's
		// query before an unlabelled code (helper-279's).
		"OK|2|ABCDE-FGHJK-LMNPQ-RSTVW-XYZ23|Ürün Anahtarı: ABCDE-FGHJK-LMNPQ-RSTVW-XYZ23, Ürün Anahtarı: BCDEF-GHJKL-MNPQR-STVWX-YZ234",
		"OK|2|ABCDE-FGHJK-LMNPQ-RSTVW-XYZ23|Product Key: ABCDE-FGHJK-LMNPQ-RSTVW-XYZ23 Product Key: BCDEF-GHJKL-MNPQR-STVWX-YZ234",
		"OK|2|AB12-CD34-EF56-GH78|1) Ürün Kodu: AB12-CD34-EF56-GH78 2) Ürün Kodu: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kodlarınız: AB12-CD34-EF56-GH78 (https://shop.com/kullanim?id=3) IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kodlarınız: AB12-CD34-EF56-GH78 https://wa.me/905555555555?text=Siparis IJ90-KL12-MN34-OP56",
		// An old code's word ending a sentence or a note before the label
		// (helper-280's).
		"OK|2|AB12-CD34-EF56-GH78|Kart iade edilmez ve değiştirilemez. Seri: AB12-CD34-EF56-GH78 Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Void if used. Serial: AB12-CD34-EF56-GH78 Serial: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kodunuz değiştirildi. Seri: AB12-CD34-EF56-GH78 Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|İade: Seri: AB12-CD34-EF56-GH78 Seri: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Seri: AB12-CD34-EF56-GH78 (Kullanılmış) Seri: IJ90-KL12-MN34-OP56",
		// A label past a participle that took in a sentence's word
		// (helper-281's).
		"OK|2|AB12-CD34-EF56-GH78|Siparişiniz tamamlandı. Verilen No: AB12-CD34-EF56-GH78 Verilen No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kodlarınız aşağıdadır. Verilen numara: AB12-CD34-EF56-GH78, Verilen numara: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Başarılı Verilen ID: AB12-CD34-EF56-GH78 Verilen ID: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Verilen No: AB12-CD34-EF56-GH78 Teşekkürler. Verilen No: IJ90-KL12-MN34-OP56",
		// A third code beside a PIN field holding two.
		"OK|2|AAAA-1111-BBBB<br>CCCC-2222-DDDD|AAAA-1111-BBBB|CCCC-2222-DDDD|EEEE-3333-FFFF",
		"OK|2|7QKDN-BM4XH-X2LZ5 8RLEO-CN5YI-Y3MA6|Kodlar: 7QKDN-BM4XH-X2LZ5, 8RLEO-CN5YI-Y3MA6, 9SMFP-DO6ZJ-Z4NB7",
		// A PIN whose groups a ':' or a ')' parts, as a label's end is
		// glued to its code elsewhere (helper-293's).
		"OK|2|AB12:CD34:EF56|Kodlarınız: AB12:CD34:EF56, XY98:ZW76:QR54",
		"OK|2|AB12:CD34:EF56|AB12:CD34:EF56 XY98:ZW76:QR54",
		"OK|2|AB12:CD34:EF56|XY98:ZW76:QR54|x",
		"OK|2|AB12CD34:EF56GH78|Kodlar: AB12CD34:EF56GH78, XY98ZW76:QR54ST32",
		"OK|2|AB12)CD34)EF56|AB12)CD34)EF56 XY98)ZW76)QR54",
		// A word of capitals before the label, the list's number glued to
		// it (helper-294's).
		"OK|2|AB12-CD34-EF56-GH78|ABCDEFGHJKLM No: AB12-CD34-EF56-GH78, QWRTYPSDFGHJ No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Siparişiniz tamamlandı. Verilen No: AB12-CD34-EF56-GH78 TEŞEKKÜRLER Verilen No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Siparişiniz tamamlandı. Verilen No: AB12-CD34-EF56-GH78 Teşekkürler Verilen No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod No: AB12-CD34-EF56-GH78 STEAMWALLET No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|1.PIN No: AB12-CD34-EF56-GH78 2.PIN No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|1.Kart No: AB12-CD34-EF56-GH78 2.Kart No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|1-Kart No: AB12-CD34-EF56-GH78 2-Kart No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|Kod1 No: AB12-CD34-EF56-GH78 Kod2 No: IJ90-KL12-MN34-OP56",
		"OK|2|AB12-CD34-EF56-GH78|1.Ürün Kodu: AB12-CD34-EF56-GH78 2.Ürün Kodu: IJ90-KL12-MN34-OP56",
		// A PIN whose groups spaces part, listed with another of its
		// shape (helper-294's).
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654",
		"OK|2|AB12 CD34 EF56 GH78|Kodlar: AB12 CD34 EF56 GH78, IJ90 KL12 MN34 OP56",
		"OK|2|ABCD EFGH 1234|Kod ABCD EFGH 1234 Kod QRST UVWX 5678",
		// Such PINs after a label glued to them, on a line of their own
		// as json_encode escapes it (helper-295's).
		"OK|2|AB12:CD34:EF56|Kod:AB12:CD34:EF56 Kod:XY98:ZW76:QR54",
		"OK|2|AB12:CD34:EF56|1)AB12:CD34:EF56 2)XY98:ZW76:QR54",
		`OK|2|1234 5678 9012 3456|Kodlar: 1234 5678 9012 3456\n9876 5432 1098 7654`,
		"OK|2|1234 5678 9012 3456|1) 1234 5678 9012 3456 2) 9876 5432 1098 7654",
		"OK|2|1234 5678 9012 3456|Kod 1 1234 5678 9012 3456 Kod 2 9876 5432 1098 7654",
		// Codes in the order to enter them, a label of one capital word
		// twice, list numbers glued to labels or dashed (helper-296's).
		"OK|2|AB12-CD34-EF56-GH78|Kodları sırayla girin: önce ZX98-YW76-VU54-TS32, sonra AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|ÖNCE: ZX98-YW76-VU54-TS32 SONRA: AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|ÜRÜN ANAHTARI: AB12-CD34-EF56-GH78 ÜRÜN ANAHTARI: ZX98-YW76-VU54-TS32",
		"OK|2|1234 5678 9012 3456|Kod1: 1234 5678 9012 3456 Kod2: 9876 5432 1098 7654",
		"OK|2|1234 5678 9012 3456|1- 1234 5678 9012 3456 2- 9876 5432 1098 7654",
		"OK|2|1234 5678 9012 3456|1 - 1234 5678 9012 3456 2 - 9876 5432 1098 7654",
		"OK|2|AB12:CD34:EF56|Kod1:AB12:CD34:EF56 Kod2:ZX98:YW76:VU54",
		// A time's word before a code's label, not a date's label; an
		// order's word past a participle; a numbered label of a group's
		// size; a currency's word in a sentence after a code; a bracket
		// after a colon-grouped code (helper-297's).
		"OK|2|AB12-CD34-EF56-GH78|PIN: AB12-CD34-EF56-GH78 One-time PIN: ZX98-YW76-VU54-TS32",
		"OK|2|AB12-CD34-EF56-GH78|Code 1: AB12-CD34-EF56-GH78 Valid any time. Code 2: ZX98-YW76-VU54-TS32",
		"OK|2|AB12-CD34-EF56-GH78|Kod 1: AB12-CD34-EF56-GH78 Game Time Kodu: ZX98-YW76-VU54-TS32",
		"OK|2|AB12-CD34-EF56-GH78|Kod 1: AB12-CD34-EF56-GH78 24Saat Kod: ZX98-YW76-VU54-TS32",
		"OK|2|AB12-CD34-EF56-GH78|Siparişinize verilen kod: ZX98-YW76-VU54-TS32",
		"OK|2|1234 5678 9012 3456|Kod1 1234 5678 9012 3456 Kod2 9876 5432 1098 7654",
		"OK|2|1234 5678 9012 3456|Code 1: 1234 5678 9012 3456 Code 2: 9876 5432 1098 7654 Try again later if it fails.",
		"OK|2|AB12:CD34:EF56|Kodlar: AB12:CD34:EF56 ve (XY98:ZW76:QR54)Teşekkürler",
		"OK|2|AB12-CD34-EF56-GH78|Code 1: AB12-CD34-EF56-GH78 Not refundable if used. Code 2: ZX98-YW76-VU54-TS32",
		// A count or a price after the last row (helper-298's).
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 2 adet kod gönderildi",
		"OK|2|1234 5678 9012 3456|Kodlar: 1234 5678 9012 3456 9876 5432 1098 7654 2 adet",
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 50 TL, Kod 2: 9876 5432 1098 7654 50 TL",
		// A '#' before the list's number, a price glued to its unit or
		// with kuruş, a game's currency, a count beside a PIN in
		// thousands (helper-299's).
		"OK|2|1234 5678 9012 3456|#1 1234 5678 9012 3456 #2 9876 5432 1098 7654",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 50TL Kod: 9876 5432 1098 7654 50TL",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 50,00 TL Kod: 9876 5432 1098 7654 50,00 TL",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 60 UC Kod: 9876 5432 1098 7654 60 UC",
		"OK|2|123 456 789|123 456 789, 987 654 321 2 adet",
		// Any short number and word after the last row, a share, a count
		// glued to its word; and beside a PIN mixing letters and digits, a
		// code whose letters' and digits' groups alternate without mixing
		// in one (helper-304's: each delivered at 3764265..79e3477).
		"OK|2|1234 5678 9012 3456|Kodlar: 1234 5678 9012 3456, 9876 5432 1098 7654 2 kod gönderildi",
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 3 ay geçerlidir",
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 60 ALTIN",
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 10000 VP",
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 2/2",
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 10x",
		"OK|2|AB12 CD34 EF56 GH78|Kodlar: AB12 CD34 EF56 GH78, IJ90 KL12 MN34 OP56 24 saat içinde kullanın",
		"OK|2|AB12 CD34 EF56|Kod 1: AB12 CD34 EF56, Kod 2: KXPQ 4821 ZMRT",
		"OK|2|A1B2 C3D4 E5F6 G7H8|Kodlar: A1B2 C3D4 E5F6 G7H8, KXPQ 4821 ZMRT WVNB",
		// Codes of capitals alone in spaced groups, as a list puts them:
		// delivered as one from 52f9834 to 7bdbe4e.
		"OK|2|ABCDE FGHIJ KLMNO|Kod 1: ABCDE FGHIJ KLMNO, Kod 2: PQRST UVWXY ZABCD",
		"OK|2|QWRTY PSDFG HJKLZ|Kodlar: QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ ve XCVBN MQWRT YPSDF nolu kodlar",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ; XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|1) QWRTY PSDFG HJKLZ 2) XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ\nXCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ<br>XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ\\nXCVBN MQWRT YPSDF",
		// The PIN after a word or a sentence, numbered lists, a tab
		// (helper-305's).
		"OK|2|QWRTY PSDFG HJKLZ|Kodunuz QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|Siparişiniz tamamlandı. QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|1. QWRTY PSDFG HJKLZ 2. XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|Kod 1 QWRTY PSDFG HJKLZ Kod 2 XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|#1 QWRTY PSDFG HJKLZ #2 XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ\tXCVBN MQWRT YPSDF",
		// Dashed and HTML lists, the other code first, a vowel by chance,
		// "İLE" (helper-306's).
		"OK|2|QWRTY PSDFG HJKLZ|Kodlarınız:\n- QWRTY PSDFG HJKLZ\n- XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|1- QWRTY PSDFG HJKLZ 2- XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|1) Steam 50 TL - QWRTY PSDFG HJKLZ 2) Steam 50 TL - XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|Siparişiniz tamamlandı. XCVBN MQWRT YPSDF, QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|Teşekkürler! XCVBN MQWRT YPSDF ve QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|<ul><li>QWRTY PSDFG HJKLZ</li><li>XCVBN MQWRT YPSDF</li></ul>",
		"OK|2|QWRTY PSDFG HJKLZ|&lt;p&gt;QWRTY PSDFG HJKLZ&lt;/p&gt;&lt;p&gt;XCVBN MQWRT YPSDF&lt;/p&gt;",
		"OK|2|QWRTY PSDFG HJKLZ|Kod 1: QWRTY PSDFG HJKLZ Kod 2: XAVBN MEWRT YPUDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ İLE XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ\u2028XCVBN MQWRT YPSDF",
		// Right after the PIN, with a group no sentence's word has: a
		// second code, as implode(' ', ...) or a dash lists it (delivered
		// as one until the vowel test).
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|Kodlar: QWRTY PSDFG HJKLZ - XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|Kodlar: QWRTY PSDFG HJKLZ. XCVBN MQWRT YPSDF.",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ XAVBN MQWRT YPUDF",
		"OK|2|ABCDE FGHIJ KLMNO|ABCDE FGHIJ KLMNO PQRST UVWXY ZABCD",
		// Capitals beside a number, read as part of a longer number and
		// left unjoined until helper-307.
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ XCVBN MQWRT YPSDF 2026-03-12",
		"OK|2|QWRTY PSDFG HJKLZ|Kodlar: QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF 2026",
		"OK|2|QWRTY PSDFG HJKLZ|Kod 1: QWRTY PSDFG HJKLZ Kod 2: XCVBN MQWRT YPSDF 100",
		"OK|2|QWRTY PSDFG HJKLZ|1) QWRTY PSDFG HJKLZ 2) XCVBN MQWRT YPSDF 3",
		"OK|2|QWRTY PSDFG HJKLZ|12/03/2026 QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF",
		"OK|2|ABCDE FGHIJ KLMNO|Kodlar: ABCDE FGHIJ KLMNO, PQRST UVWXY ZABCD 2026",
		// A word of a group's size after a number, which a row began at
		// one group too early once capitals stopped counting as part of a
		// longer number (helper-308); beside a PIN with digits the rule
		// for longer numbers is as it was.
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ<br>2 Kartı XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|1 STEAM QWRTY PSDFG HJKLZ 2 STEAM XCVBN MQWRT YPSDF",
		"OK|2|QWRT PSDF HJKL|1 KART QWRT PSDF HJKL 2 KART XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Sipariş 12345 kodu QWRT PSDF HJKL, XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Kodlar: QWRT PSDF HJKL ve 2 kodu XCVB MQWR YPSD",
		"OK|2|QWRTY PSDFG HJKLZ|Tarih 12.03.2026 STEAM QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF",
		"OK|2|QWRT PSDF HJKL|12 ÝÇÝN QWRT PSDF HJKL - UWUV XTBZ SCAC",
		"OK|2|QWRT PSDF HJKL|QWRT PSDF HJKL Yeni GKLJ FBJT TTCC",
		"OK|2|KXPQ ZMRT 4821|Kodlar: KXPQ ZMRT 4821, Kart HBVN TRWQ 7193",
		"OK|2|ABCD EFGH IJKL 1234|Kodlar: ABCD EFGH IJKL 1234, Kart WXYZ QRST MNOP 9876",
		"OK|2|ABCD EFGH 1234|Kodlar: ABCD EFGH 1234 - 50 TL XBOX WXYZ QRST 9876",
		// Beside a PIN of capitals, a number of a group's size began a row
		// one group early; a row ran into the PIN again, or the PIN again
		// in small letters made none, and the second code went unseen
		// (helper-309).
		"OK|2|QWRT PSDF HJKL|QWRT PSDF HJKL 2026 KART XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Kodlar: QWRT PSDF HJKL 2026 YILI XCVB MQWR YPSD",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ 12345 STEAM XCVBN MQWRT YPSDF",
		"OK|2|QWRT PSDF HJKL|QWRT PSDF HJKL - 2026 KART XCVB MQWR YPSD",
		"OK|2|KXPA ZMRT BNQE|KXPA ZMRT BNQE ZAQW SXDC RFVT HTML YENİ TR12 100",
		"OK|2|QWRT PSDF HJKL|1) QWRT PSDF HJKL 2) 1000 KART XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|QWRT PSDF HJKL 2026 XCVB MQWR YPSD",
		"OK|2|QWRTY PSDFG HJKLZ|Sipariş 12345 QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF",
		"OK|2|QWRT PSDF HJKL|Kodlar: QWRT PSDF HJKL XCVB MQWR YPSD TR12 0006 1005 1978 6457 8413 26",
		"OK|2|QWRT PSDF HJKL|QWRT PSDF HJKL XCVB MQWR YPSD 1234 5678 9012 3456",
		"OK|2|QWRT PSDF HJKL|Xbox GIFT CARD QWRT PSDF HJKL, XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Xbox GIFT CARD QWRT PSDF HJKL<br>XCVB MQWR YPSD",
		"OK|2|KXPA ZMRT BNQE|Oyun CARD KART KXPA ZMRT BNQE 3 Steam HBVN TRWQ WXYZ Oyun",
		"OK|2|QWRT PSDF HJKL|Razer GOLD PINS QWRT PSDF HJKL XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Google PLAY CARD QWRT PSDF HJKL 2. kod XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Kodlar: qwrt psdf hjkl, XCVB MQWR YPSD",
		"OK|2|QWRT PSDF HJKL|Kodlar: Qwrt Psdf Hjkl, XCVB MQWR YPSD",
		// A mark glued between two rows of capitals (helper-307).
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ-XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ.XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|Kodlar: QWRTY PSDFG HJKLZ+XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ•XCVBN MQWRT YPSDF",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ\u200bXCVBN MQWRT YPSDF",
	}
	for _, body := range refused {
		_, err := ParsePinStatus([]byte(body))
		if k, _ := KindOf(err); k != KindUnusable || !strings.Contains(err.Error(), "another code like the PIN") {
			t.Errorf("%q: %v, want it refused as another code like the PIN after it", body, err)
		}
	}
	kept := map[string]string{
		"OK|2|K7Q9M3X8P5Z2|202603120001|Tamamlandı":      "K7Q9M3X8P5Z2",
		"OK|2|ABCD1234|20260312|Tamamlandı":              "ABCD1234",
		"OK|2|A1B2C3D4E5|1234567890|Seri no":             "A1B2C3D4E5",
		"OK|2|12345678AB|SP20260312|İşlem tamamlandı|":   "12345678AB",
		"OK|2|AB12CD34|RAZERGLD|Tamam":                   "AB12CD34",
		"OK|2|AB12-CD34-EF56|ab12-cd34-ef56|Tamam":       "AB12-CD34-EF56",
		"OK|2|AB12-CD34-EF56-GH78|AB12 CD34 EF56 GH78|x": "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|AB12—CD34—EF56—GH78|x": "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|AB12-XXXX-XXXX-GH78|x": "AB12-CD34-EF56-GH78",
		"OK|2|ABCDE-FGHIJ-KLMNO|XXXXX-XXXXX-XXXXX|x":     "ABCDE-FGHIJ-KLMNO",
		"OK|2|AB12-CD34-EF56|2026-03-12|Tamam":           "AB12-CD34-EF56",
		"OK|2|AB12-CD34|Stok|x":                          "AB12-CD34",
		"OK|2|ABCD-EFGH-JKLM|1234-5678-9012|Seri ve PIN": "ABCD-EFGH-JKLM",
		// Digits beside a PIN of digits, ungrouped, may be its serial; a
		// description of one short code alone, with no bar after it, a
		// product's; an order's number or a serial labelled so is no code.
		"OK|2|AB12-CD34|PUBG-325U":                          "AB12-CD34",
		"OK|2|AB12-CD34-EF56|Sipariş: TR12-3456-7890|Tamam": "AB12-CD34-EF56",
		"OK|2|AB12-CD34|İşlem No: ZX98-YW76|x":              "AB12-CD34",
		"OK|2|AAAA-1111-BBBB|Seri: CCCC-2222-DDDD|":         "AAAA-1111-BBBB",
		"OK|2|QWRTY-PSDFG-HJKLZ|Steam kodun hazır":          "QWRTY-PSDFG-HJKLZ",
		"OK|2|AB12-CD34-EF56-GH78|Oyun Kodu 2026 Mart":      "AB12-CD34-EF56-GH78",
		// A token, a transaction's or an order's id after the status's
		// word: the description's, where no row repeats (helper-265's).
		"OK|2|J6SD9M4KQ2XTRB7L|Tamamlandı|5f3a9c2b7e1d4086":         "J6SD9M4KQ2XTRB7L",
		"OK|2|K7Q9M3X8P5Z2|Tamamlandı|TX20260312A1|35.00":           "K7Q9M3X8P5Z2",
		"OK|2|1234-5678-9012-3456|Tamamlandı|0001-2345-6789-0123|x": "1234-5678-9012-3456",
		"OK|2|QWRTY-PSDFG-HJKLZ|TAMAM|STEAM KODUN HAZIR":            "QWRTY-PSDFG-HJKLZ",
		"OK|2|ab12-cd34-ef56|Oyun Kodu 2026":                        "ab12-cd34-ef56",
		"OK|2|Ab12-Cd34-Ef56|Mart 2026 Kodu":                        "Ab12-Cd34-Ef56",
		"OK|2|1234567890123456|9876543210987654|Tamam":              "1234567890123456",
		"OK|2|K7Q9M3X8P5Z2|SN12AB34CD56":                            "K7Q9M3X8P5Z2",
		// A serial or an order's number after a status's word is still
		// the description's.
		"OK|2|AAAA-1111-BBBB|Tamamlandı, Seri: CCCC-2222-DDDD|x":     "AAAA-1111-BBBB",
		"OK|2|AAAA-1111-BBBB|Tamam, Sipariş Kodu: CCCC-2222-DDDD|":   "AAAA-1111-BBBB",
		"OK|2|AAAA-1111-BBBB|Tamam, 2 adet|x":                        "AAAA-1111-BBBB",
		"OK|2|1234-5678-9012-3456|Tamamlandı, 0001-2345-6789-0123|x": "1234-5678-9012-3456",
		// Named an order's number, a serial or an old code, before or
		// after it, in a list with the PIN or not (helper-270's).
		"OK|2|AB12-CD34-EF56-GH78|SP12-3456-7890-1234 nolu sipariş tamamlandı":                "AB12-CD34-EF56-GH78",
		"OK|2|1234-5678-9012-3456|9876-5432-1098-7654 (Seri)|Tamam":                           "1234-5678-9012-3456",
		"OK|2|AB12-CD34-EF56-GH78|AB12-CD34-EF56-GH78, Seri No: IJ90-KL12-MN34-OP56":          "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sipariş: SP12-KL12-MN34-OP56":      "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Yeni kod AB12-CD34-EF56-GH78, eski kod IJ90-KL12-MN34-OP56": "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|İŞLEM: IJ90-KL12-MN34-OP56":                                 "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Tamamlandı, SİPARİŞ NO: IJ90-KL12-MN34-OP56":                "AB12-CD34-EF56-GH78",
		// Words before a comma that are no status's (helper-269's).
		"OK|2|AAAA-1111-BBBB|Seri no, CCCC-2222-DDDD|x":          "AAAA-1111-BBBB",
		"OK|2|AAAA-1111-BBBB|Sipariş numarası, CCCC-2222-DDDD|x": "AAAA-1111-BBBB",
		"OK|2|AAAA-1111-BBBB|İşlem no; CCCC-2222-DDDD|x":         "AAAA-1111-BBBB",
		"OK|2|AAAA-1111-BBBB|Fatura, CCCC-2222-DDDD|x":           "AAAA-1111-BBBB",
		"OK|2|1234-5678-9012|Onaylandı, 2026-0312-0001|x":        "1234-5678-9012",
		// A PIN field holding the order's codes, the description repeating
		// them (helper-270's).
		"OK|2|AAAA-1111-BBBB<br>CCCC-2222-DDDD|AAAA-1111-BBBB|CCCC-2222-DDDD":                        "AAAA-1111-BBBB CCCC-2222-DDDD",
		"OK|2|7QKDN-BM4XH-X2LZ5 8RLEO-CN5YI-Y3MA6|Kod 1: 7QKDN-BM4XH-X2LZ5|Kod 2: 8RLEO-CN5YI-Y3MA6": "7QKDN-BM4XH-X2LZ5 8RLEO-CN5YI-Y3MA6",
		"OK|2|7QKDN-BM4XH-X2LZ5 8RLEO-CN5YI-Y3MA6|8RLEO-CN5YI-Y3MA6 (2/2)":                           "7QKDN-BM4XH-X2LZ5 8RLEO-CN5YI-Y3MA6",
		// Another number of the PIN's shape beside it, named so in words a
		// list of codes has not, or in brackets (helper-272's).
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sipariş numaranız: PR12-KL12-MN34-OP56":  "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Referans numaranız: PR12-KL12-MN34-OP56": "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Fiş No: PR12-KL12-MN34-OP56":             "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Kart No: PR12-KL12-MN34-OP56":            "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Müşteri No: PR12-KL12-MN34-OP56":         "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Stok Kodu: PR12-KL12-MN34-OP56":          "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Bayi Kodu: PR12-KL12-MN34-OP56":          "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Dekont: PR12-KL12-MN34-OP56":             "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Değiştirilen kod: PR12-KL12-MN34-OP56":   "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Serial Number PR12-KL12-MN34-OP56":       "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Order Number PR12-KL12-MN34-OP56":        "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 TxID: PR12-KL12-MN34-OP56":               "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 SKU: PR12-KL12-MN34-OP56":                "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Batch: PR12-KL12-MN34-OP56":              "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Replaced code: PR12-KL12-MN34-OP56":      "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sip. No: PR12-KL12-MN34-OP56":            "AB12-CD34-EF56-GH78",
		"OK|2|1234-5678-9012-3456|PIN: 1234-5678-9012-3456 Seri Numaranız: 0001-2345-6789-0123":     "1234-5678-9012-3456",
		"OK|2|1234-5678-9012-3456|1234-5678-9012-3456 (0001-2345-6789-0123)":                        "1234-5678-9012-3456",
		"OK|2|4K7Q9M3X8P5Z2ABC|Kod: 4K7Q9M3X8P5Z2ABC (7XJ2LZ5QKDNBM4WY)":                            "4K7Q9M3X8P5Z2ABC",
		// An old code in a note, named old before it, or a number named so
		// after it; a PIN field of nine codes (helper-274's).
		"OK|2|AB12-CD34-EF56-GH78|Yeni kodunuz: AB12-CD34-EF56-GH78 (iptal edilen kod: IJ90-KL12-MN34-OP56)":     "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Yeni PIN: AB12-CD34-EF56-GH78, Eski PIN: IJ90-KL12-MN34-OP56":                  "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|New code: AB12-CD34-EF56-GH78, Old PIN: IJ90-KL12-MN34-OP56":                   "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kodunuz: AB12-CD34-EF56-GH78, IJ90-KL12-MN34-OP56 seri numaralı karta aittir.": "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kodunuz: AB12-CD34-EF56-GH78 - IJ90-KL12-MN34-OP56 No.lu sipariş":              "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Yeni kodunuz: AB12-CD34-EF56-GH78, iptal edilen kod: IJ90-KL12-MN34-OP56":      "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|IJ90-KL12-MN34-OP56 nolu sipariş: AB12-CD34-EF56-GH78":                         "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kodunuz: AB12-CD34-EF56-GH78, Kullanılmış kod: IJ90-KL12-MN34-OP56":            "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sip.No: IJ90-KL12-MN34-OP56":                          "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sipariş_No: IJ90-KL12-MN34-OP56":                      "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 order_id: IJ90-KL12-MN34-OP56":                        "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Invoice: IJ90-KL12-MN34-OP56":                         "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Makbuz: IJ90-KL12-MN34-OP56":                          "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 İade edilen kod: IJ90-KL12-MN34-OP56":                 "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Hatalı kod: IJ90-KL12-MN34-OP56":                      "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Expired code: IJ90-KL12-MN34-OP56":                    "AB12-CD34-EF56-GH78",
		// A number's label ending as the PIN's does, a link, a serial
		// naming the code after it (helper-277's).
		"OK|2|AB12-CD34-EF56-GH78|PIN No: AB12-CD34-EF56-GH78, Sipariş No: IJ90-KL12-MN34-OP56":                                "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Pin Numarası: AB12-CD34-EF56-GH78 Sipariş Numarası: IJ90-KL12-MN34-OP56":                     "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kart No: AB12-CD34-EF56-GH78 Seri No: IJ90-KL12-MN34-OP56":                                   "AB12-CD34-EF56-GH78",
		"OK|2|1234-5678-9012-3456|Pin No: 1234-5678-9012-3456 Seri No: 9876-5432-1098-7654":                                    "1234-5678-9012-3456",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Detay: https://panel.example.com/siparis/detay/IJ90-KL12-MN34-OP56": "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Fatura: https://panel.example.com/fatura?id=IJ90-KL12-MN34-OP56":    "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|IJ90-KL12-MN34-OP56 seri numaralı kodunuz: AB12-CD34-EF56-GH78":                              "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 İşlem Kimliği: IJ90-KL12-MN34-OP56":                                 "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sipariş_Kodu: IJ90-KL12-MN34-OP56":                                  "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Stok_Kodu: IJ90-KL12-MN34-OP56":                                     "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Order_Code: IJ90-KL12-MN34-OP56":                                    "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Sip.Kodu: IJ90-KL12-MN34-OP56":                                      "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Yeni Seri: AB12-CD34-EF56-GH78, Eski Seri: IJ90-KL12-MN34-OP56":                              "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Seri: AB12-CD34-EF56-GH78, Önceki Seri: IJ90-KL12-MN34-OP56":                                 "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Teslim edilen kod: AB12-CD34-EF56-GH78, İptal edilen kod: IJ90-KL12-MN34-OP56":               "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Teslim edilen PIN: AB12-CD34-EF56-GH78 İptal edilen PIN: IJ90-KL12-MN34-OP56":                "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Geçerli olan kod: AB12-CD34-EF56-GH78 Kullanılmış olan kod: IJ90-KL12-MN34-OP56":             "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Yeni verilen kod: AB12-CD34-EF56-GH78, Önceki verilen kod: IJ90-KL12-MN34-OP56":              "AB12-CD34-EF56-GH78",
		"OK|2|AB12:CD34:EF56|Kod: AB12:CD34:EF56 Saat: 10:30 Sipariş: SP20260312":                                              "AB12:CD34:EF56",
		"OK|2|AB12-CD34-EF56-GH78|Kod: AB12-CD34-EF56-GH78 Kart_No: IJ90-KL12-MN34-OP56":                                       "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|GEÇERLİ OLAN KOD: AB12-CD34-EF56-GH78 KULLANILMIŞ OLAN KOD: IJ90-KL12-MN34-OP56":             "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|PIN NO: AB12-CD34-EF56-GH78 SİPARİŞİNİZİN NO: IJ90-KL12-MN34-OP56":                           "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|1.PIN No: AB12-CD34-EF56-GH78 1.Seri No: IJ90-KL12-MN34-OP56":                                "AB12-CD34-EF56-GH78",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 Seri: 0001 2345 6789 0123":                                          "1234 5678 9012 3456",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 Sipariş No: 2026 1203 1530 0001":                                    "1234 5678 9012 3456",
		// Beside a PIN whose groups spaces part, a longer number of
		// such groups, a product's name in capitals; labels in capitals, a
		// serial's and a lot's, an expired code's (helper-295's).
		"OK|2|1234 5678 9012|Kod: 1234 5678 9012 IBAN: TR12 0006 1005 1978 6457 8413 26":              "1234 5678 9012",
		"OK|2|1234 5678 9012|Kod: 1234 5678 9012 IBAN: TR12 0006 1005 1978 6457 8413 26. Teşekkürler": "1234 5678 9012",
		"OK|2|AB12 CD34 EF56|Kod: AB12 CD34 EF56 FREE FIRE 1000 elmas":                                "AB12 CD34 EF56",
		"OK|2|AB12 CD34 EF56|Kod: AB12 CD34 EF56 Xbox 1000 Gold":                                      "AB12 CD34 EF56",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 IBAN: TR 12 0006 1005 1978 6457 8413 26":   "1234 5678 9012 3456",
		"OK|2|AB12 CD34 EF56 GH78|Kod: AB12 CD34 EF56 GH78 IBAN: TR12 0006 1005 1978 6457 8413 26":    "AB12 CD34 EF56 GH78",
		"OK|2|123 456 7890|Kod: 123 456 7890 Destek: +90 532 123 4567":                                "123 456 7890",
		"OK|2|AB12 CD34 EF56 GH78|XBOX GIFT CARD 1000 TL Kodunuz: AB12 CD34 EF56 GH78":                "AB12 CD34 EF56 GH78",
		"OK|2|AB12 CD34 EF56|FREE FIRE 1000 ELMAS":                                                    "AB12 CD34 EF56",
		"OK|2|ABCDE FGHIJ KLMNO|STEAM KEY: ABCDE FGHIJ KLMNO OYUNA GIRIS YAPIN":                       "ABCDE FGHIJ KLMNO",
		"OK|2|QWRTY PSDFG HJKLZ|Kodunuz QWRTY PSDFG HJKLZ OYUNA GIRIS YAPIN":                          "QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|Kodunuz: QWRTY PSDFG HJKLZ. OYUNA GIRIS YAPIN":                        "QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|Eski kod: XCVBN MQWRT YPSDF, yeni kod: QWRTY PSDFG HJKLZ":             "QWRTY PSDFG HJKLZ",
		// Beside a PIN whose groups have no vowel, capitals whose every
		// group has one are a sentence's, after a line break or a comma too.
		"OK|2|QWRTY PSDFG HJKLZ|STEAM KEY: QWRTY PSDFG HJKLZ\nOYUNA GIRIS YAPIN":                                     "QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|Kodunuz: QWRTY PSDFG HJKLZ, OYUNA GIRIS YAPIN":                                       "QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ kopyalayın ve OYUNA GİRİŞ YAPIN":                                   "QWRTY PSDFG HJKLZ",
		"OK|2|ABCDE FGHIJ KLMNO|STEAM KEY: ABCDE FGHIJ KLMNO - OYUNA GIRIS YAPIN":                                    "ABCDE FGHIJ KLMNO",
		"OK|2|QWRTY PSDFG HJKLZ|Kodunuz: \"QWRTY PSDFG HJKLZ\". OYUNA GIRIS YAPIN":                                   "QWRTY PSDFG HJKLZ",
		"OK|2|ABCDE FGHIJ KLMNO|Kodunuz: \"ABCDE FGHIJ KLMNO\". OYUNA GIRIS YAPIN":                                   "ABCDE FGHIJ KLMNO",
		"OK|2|ABCDE FGHIJ KLMNO|STEAM KEY: ABCDE FGHIJ KLMNO! OYUNA GIRIS YAPIN":                                     "ABCDE FGHIJ KLMNO",
		"OK|2|QWRTY PSDFG HJKLZ|<p>Kodunuz: QWRTY PSDFG HJKLZ</p><p>OYUNA GIRIS YAPIN</p>":                           "QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|Kod: QWRTY PSDFG HJKLZ \\N":                                                          "QWRTY PSDFG HJKLZ",
		"OK|2|1234 5678 9012 3456|PIN: 1234 5678 9012 3456 S/N: 9876 5432 1098 7654":                                 "1234 5678 9012 3456",
		"OK|2|1234 5678 9012 3456|Teşekkürler! Kod: 1234 5678 9012 3456 Lot: 2026 0001 0002 0003":                    "1234 5678 9012 3456",
		"OK|2|1234 5678 9012 3456|PIN NO: 1234 5678 9012 3456 REZERVASYON NO: 2026 1206 1430 0001":                   "1234 5678 9012 3456",
		"OK|2|AB12-CD34-EF56-GH78|PIN NO: AB12-CD34-EF56-GH78 KULLANICI NO: IJ90-KL12-MN34-OP56":                     "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|GÖNDERİLEN KOD NO: AB12-CD34-EF56-GH78 TRANSFER NO: IJ90-KL12-MN34-OP56":           "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Yeni verilen PIN: AB12-CD34-EF56-GH78 Daha önce verilen PIN: IJ90-KL12-MN34-OP56":  "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Geçerli olan kod: AB12-CD34-EF56-GH78 Süresi dolmuş olan kod: IJ90-KL12-MN34-OP56": "AB12-CD34-EF56-GH78",
		// A date or an amount of the PIN's groups, numbered labels of a
		// number's and an old code's, an old code first (helper-296's).
		"OK|2|1234 5678 9012 3456|Kodunuz: 1234 5678 9012 3456 Son kullanma: 2027 1231 2359 5959":           "1234 5678 9012 3456",
		"OK|2|1234 5678 9012|Kod: 1234 5678 9012 Tarih 2026 1206 1430":                                      "1234 5678 9012",
		"OK|2|1234:5678:9012|Kod: 1234:5678:9012 Saat: 2026:1206:1430":                                      "1234:5678:9012",
		"OK|2|123 456 789|Kod: 123 456 789 Bakiye: 125 000 000 TL":                                          "123 456 789",
		"OK|2|AB12-CD34-EF56-GH78|PIN1: AB12-CD34-EF56-GH78 Sipariş2: ZX98-YW76-VU54-TS32":                  "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Kod1: AB12-CD34-EF56-GH78 Eski Kod1: ZX98-YW76-VU54-TS32":                 "AB12-CD34-EF56-GH78",
		"OK|2|AB12-CD34-EF56-GH78|Daha önce verilen PIN: ZX98-YW76-VU54-TS32 Yeni PIN: AB12-CD34-EF56-GH78": "AB12-CD34-EF56-GH78",
		"OK|2|1234 5678 9012 3456|Kod: 1234 5678 9012 3456 1 adet":                                          "1234 5678 9012 3456",
		"OK|2|1234 5678 9012|Kod: 1234 5678 9012 IBAN: TR12 0006 1005 1978 6457 8413 26 Ziraat":             "1234 5678 9012",
		"OK|2|Seri:12345678 Pin:87654321|Seri:12345678 Pin:87654321":                                        "Seri:12345678 Pin:87654321",
		nineCodes + "|AB08-CD34-EF56-GH78 (9/9)":                                                            nineCodesSaved,
		// Vowels a sentence's words have that isVowel did not know: Turkish
		// read as Latin-1 (Ý, ý for İ, ı), a circumflex (helper-307).
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ OYUNA GÝRÝÞ YAPIN":  "QWRTY PSDFG HJKLZ",
		"OK|2|QWRT PSDF HJKL|QWRT PSDF HJKL HÂLÂ KODU ALIN":           "QWRT PSDF HJKL",
		"OK|2|QWRT PSDF HJKL|Kodunuz: QWRT PSDF HJKL. ÝÇÝN OYUN KODU": "QWRT PSDF HJKL",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ-OYUNA GIRIS YAPIN":  "QWRTY PSDFG HJKLZ",
		"OK|2|QWRT PSDF HJKL|Xbox GIFT CARD QWRT PSDF HJKL":           "QWRT PSDF HJKL",
		"OK|2|QWRT PSDF HJKL|Google Play Card QWRT PSDF HJKL":         "QWRT PSDF HJKL",
		"OK|2|QWRTY PSDFG HJKLZ|Sipariş 12345: QWRTY PSDFG HJKLZ":     "QWRTY PSDFG HJKLZ",
		"OK|2|QWRTY PSDFG HJKLZ|QWRTY PSDFG HJKLZ.OYUNA GIRIS YAPIN":  "QWRTY PSDFG HJKLZ",
	}
	for body, pin := range kept {
		got, err := ParsePinStatus([]byte(body))
		if err != nil || got.PIN != pin {
			t.Errorf("%q: PIN %q, %v; want %q saved", body, got.PIN, err, pin)
		}
	}
}
