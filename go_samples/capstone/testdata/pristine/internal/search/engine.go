// Package search finds products by the words of their name and description.
// Results are ranked by how rare the matched words are, with a snippet of
// the description around the first match.
package search

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"goleaklab/samples/capstone/internal/catalog"
)

// Hit is one product found, with the part of its description that matched.
type Hit struct {
	SKU     string  `json:"sku"`
	Name    string  `json:"name"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

// Engine answers queries over a catalog. It is safe for concurrent use.
type Engine struct {
	cat      *catalog.Catalog
	postings map[string][]int32 // word -> products whose text has it, ascending
	weight   map[string]float64 // word -> inverse document frequency
	recent   *recentResults
	scores   sync.Pool // *scratch
	queries  atomic.Int64
	answered atomic.Int64 // answered from the recent results
}

type scratch struct {
	score   []float64
	touched []int32
}

// New indexes every product of cat. The results of the latest remember
// queries are kept, so that a query repeated soon is answered at once.
func New(cat *catalog.Catalog, remember int) *Engine {
	e := &Engine{cat: cat, postings: make(map[string][]int32), weight: make(map[string]float64),
		recent: newRecentResults(remember)}
	for i := range cat.Len() {
		p := cat.At(i)
		for _, w := range Terms(p.Name + " " + p.Description) {
			e.postings[w] = append(e.postings[w], int32(i))
		}
	}
	for w, ids := range e.postings {
		e.weight[w] = math.Log(1 + float64(cat.Len())/float64(len(ids)))
	}
	e.scores.New = func() any { return &scratch{score: make([]float64, cat.Len())} }
	return e
}

// Search returns up to limit products matching q, best first.
func (e *Engine) Search(q string, limit int) []Hit {
	e.queries.Add(1)
	terms := Terms(q)
	if len(terms) == 0 || limit <= 0 {
		return nil
	}
	key := strings.Join(terms, " ") + "|" + strconv.Itoa(limit)
	if hits, ok := e.recent.get(key); ok {
		e.answered.Add(1)
		return hits
	}
	hits := e.rank(terms, limit)
	e.recent.put(key, hits)
	return hits
}

// Queries is the number of searches; Remembered those answered from the
// recent results; Recent the number of queries whose results are kept.
func (e *Engine) Queries() int64    { return e.queries.Load() }
func (e *Engine) Remembered() int64 { return e.answered.Load() }
func (e *Engine) Recent() int       { return e.recent.len() }

func (e *Engine) rank(terms []string, limit int) []Hit {
	s := e.scores.Get().(*scratch)
	defer func() {
		for _, i := range s.touched {
			s.score[i] = 0
		}
		s.touched = s.touched[:0]
		e.scores.Put(s)
	}()
	for _, t := range terms {
		for _, i := range e.postings[t] {
			if s.score[i] == 0 {
				s.touched = append(s.touched, i)
			}
			s.score[i] += e.weight[t]
		}
	}
	best := slices.Clone(s.touched)
	slices.SortFunc(best, func(a, b int32) int {
		if s.score[a] != s.score[b] {
			if s.score[a] > s.score[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	best = best[:min(limit, len(best))]
	hits := make([]Hit, len(best))
	for k, i := range best {
		p := e.cat.At(int(i))
		hits[k] = Hit{SKU: p.SKU, Name: p.Name, Snippet: snippet(p.Description, terms), Score: s.score[i]}
	}
	return hits
}

// snippet is the part of text around the first word of terms it contains,
// with that word emphasised.
func snippet(text string, terms []string) string {
	lower := strings.ToLower(text)
	at, word := -1, ""
	for _, t := range terms {
		if i := strings.Index(lower, t); i >= 0 && (at < 0 || i < at) {
			at, word = i, t
		}
	}
	if at < 0 {
		return text[:min(len(text), 120)]
	}
	from, to := max(0, at-80), min(len(text), at+len(word)+80)
	var b strings.Builder
	b.Grow(to - from + 8)
	if from > 0 {
		b.WriteString("…")
	}
	b.WriteString(text[from:at])
	b.WriteString("**")
	b.WriteString(text[at : at+len(word)])
	b.WriteString("**")
	b.WriteString(text[at+len(word) : to])
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

var stopWords = map[string]bool{"a": true, "an": true, "and": true, "for": true, "the": true, "of": true,
	"with": true, "to": true, "in": true}

// Terms splits text into lower-case words, without stop words or repeats.
func Terms(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	out := words[:0]
	for _, w := range words {
		if !stopWords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
