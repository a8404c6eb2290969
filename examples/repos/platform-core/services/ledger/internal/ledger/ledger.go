package ledger

import (
	"encoding/json"
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/acme/platform-core/services/ledger/internal/flags"
	"github.com/acme/platform-core/services/ledger/internal/logging"
)

// Entry is one side of a double-entry posting, amounts in minor units.
type Entry struct {
	Account string `json:"account"`
	Debit   int64  `json:"debit"`
	Credit  int64  `json:"credit"`
}

var ErrUnbalanced = errors.New("postings do not balance")

// Balanced reports whether debits equal credits.
func Balanced(entries []Entry) error {
	var d, c int64
	for _, e := range entries {
		d += e.Debit
		c += e.Credit
	}
	if d != c {
		return ErrUnbalanced
	}
	return nil
}

type API struct{ log *zap.Logger }

func NewAPI(log *zap.Logger) *API { return &API{log: log} }

func (a *API) Ready(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := logging.FromContext(r.Context(), a.log)
	var entries []Entry
	if err := json.NewDecoder(r.Body).Decode(&entries); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := Balanced(entries); err != nil {
		log.Warn("rejected unbalanced posting", zap.Int("entries", len(entries)))
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if flags.Enabled(r.Context(), "ledger-async-journal", false) {
		log.Info("posting via async journal")
	}
	w.WriteHeader(http.StatusCreated)
}
