package api

import (
	"net/http"
	"strconv"
	"strings"

	"goleaklab/samples/capstone/internal/search"
)

type searchPage struct {
	Query string       `json:"query"`
	Hits  []search.Hit `json:"hits"`
}

func (s *Server) searchProducts(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		writeError(w, http.StatusBadRequest, "missing query q")
		return
	}
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			writeError(w, http.StatusBadRequest, "limit must be 1 to 50")
			return
		}
		limit = n
	}
	writeJSON(w, http.StatusOK, searchPage{Query: q, Hits: s.search.Search(q, limit)})
}
