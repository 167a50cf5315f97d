package watch

import (
	"net/http"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// panelClient builds the client for an integration's dealer panel. It is
// the one place where a shop's integration row becomes a znet client, and
// where its password leaves the Secret that keeps it out of logs: runs,
// `check --order` and `balance` all go through it. A nil httpClient is
// one of the panel's own, whose requests may take timeout.
func panelClient(in store.Integration, httpClient *http.Client, timeout time.Duration) (*znet.Client, error) {
	if httpClient == nil {
		httpClient = znet.NewHTTPClient(1, timeout)
	}
	return znet.NewClient(in.BaseURL, in.DealerCode, in.Password.Reveal(), httpClient)
}
