package search

import (
	"slices"
	"strings"
	"testing"

	"goleaklab/samples/capstone/internal/catalog"
)

func TestSearchRanksProductsThatMatchEveryWordFirst(t *testing.T) {
	cat := catalog.Generate(500, 1)
	e := New(cat, 16)
	p := cat.At(42)
	words := Terms(p.Name)
	hits := e.Search(strings.Join(words, " "), 10)
	if len(hits) == 0 {
		t.Fatalf("no hit for %q", p.Name)
	}
	for _, w := range words {
		if !strings.Contains(strings.ToLower(hits[0].Name+" "+hits[0].Snippet), w) {
			t.Errorf("best hit %q does not mention %q", hits[0].Name, w)
		}
	}
	if !strings.Contains(hits[0].Snippet, "**") {
		t.Errorf("snippet %q does not emphasise the match", hits[0].Snippet)
	}
}

func TestRepeatedQueriesAreAnsweredFromRecentResults(t *testing.T) {
	e := New(catalog.Generate(200, 1), 2)
	first := e.Search("walnut lamp", 5)
	again := e.Search("Walnut  LAMP", 5)
	if !slices.Equal(first, again) || e.Remembered() != 1 {
		t.Fatalf("the repeat was not answered from the recent results (remembered %d)", e.Remembered())
	}
	e.Search("oak chair", 5)
	e.Search("steel kettle", 5)
	if n := e.Recent(); n != 2 {
		t.Fatalf("%d queries kept, want 2", n)
	}
}

func TestTerms(t *testing.T) {
	got := Terms("The Walnut desk-lamp, for the DESK-lamp lovers")
	want := []string{"walnut", "desk-lamp", "lovers"}
	if !slices.Equal(got, want) {
		t.Fatalf("Terms = %q, want %q", got, want)
	}
}
