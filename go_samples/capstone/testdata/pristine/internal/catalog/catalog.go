// Package catalog holds what the shop sells: products with a name, a category
// and a description that search indexes. It is loaded once at start-up and
// never changes while the shop runs.
package catalog

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Product is one item for sale.
type Product struct {
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
}

// Catalog is a fixed set of products, in listing order and by SKU.
type Catalog struct {
	products []Product
	bySKU    map[string]int
}

// SKU is the stock-keeping unit of the i-th product of a generated catalog.
func SKU(i int) string { return fmt.Sprintf("SKU-%05d", i) }

var (
	adjectives = []string{"compact", "classic", "rugged", "slim", "deluxe", "portable", "quiet", "smart",
		"vintage", "modern", "foldable", "wireless", "ergonomic", "heavy-duty", "lightweight", "insulated"}
	materials = []string{"walnut", "oak", "steel", "aluminium", "ceramic", "linen", "wool", "leather",
		"bamboo", "glass", "copper", "cotton", "marble", "felt", "cork", "rattan"}
	kinds = map[string][]string{
		"kitchen": {"kettle", "teapot", "skillet", "knife", "cutting board", "grinder", "mug", "bowl"},
		"office":  {"desk lamp", "notebook", "pen holder", "monitor stand", "chair", "organizer", "clock"},
		"outdoor": {"backpack", "tent", "lantern", "water bottle", "hammock", "stool", "cooler"},
		"home":    {"blanket", "cushion", "vase", "rug", "mirror", "shelf", "basket", "candle"},
		"audio":   {"headphones", "speaker", "turntable", "radio", "earbuds", "amplifier"},
	}
	categories = []string{"kitchen", "office", "outdoor", "home", "audio"}
	// Words the descriptions are written with; search matches them.
	vocabulary = strings.Fields(`
		durable handmade sturdy elegant timeless practical everyday gift travel compact
		easy clean dishwasher safe warranty sustainable recycled natural finish matte glossy
		grip handle lid base stand cover strap pocket zipper buckle hinge frame panel
		warm cool soft firm smooth textured bright dark neutral colour black white grey
		blue green red amber olive sand stone charcoal ivory navy rust teal
		battery charge cable bluetooth noise cancelling bass treble volume range signal
		water resistant weather proof outdoor indoor garden balcony camping hiking picnic
		morning evening coffee tea breakfast dinner reading writing working studying
		storage space saving stackable modular adjustable height angle tilt swivel
		small medium large extra family single double set pair trio collection series
		studio workshop kitchen office bedroom living hallway bathroom nursery
		premium budget value limited edition seasonal bestseller new improved original
		lasting reliable tested certified designed crafted made assembled shipped
		`)
)

// Vocabulary returns the words product descriptions are made of.
func Vocabulary() []string { return append([]string(nil), vocabulary...) }

// Generate builds a catalog of n products from seed; the same seed gives the
// same catalog. It stands in for loading the product table of a database.
func Generate(n int, seed uint64) *Catalog {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	c := &Catalog{products: make([]Product, n), bySKU: make(map[string]int, n)}
	var b strings.Builder
	for i := range n {
		cat := categories[rng.IntN(len(categories))]
		kind := kinds[cat][rng.IntN(len(kinds[cat]))]
		name := fmt.Sprintf("%s %s %s", adjectives[rng.IntN(len(adjectives))],
			materials[rng.IntN(len(materials))], kind)
		b.Reset()
		b.WriteString("A ")
		b.WriteString(name)
		b.WriteString(" for ")
		b.WriteString(cat)
		b.WriteString(".")
		for range 24 + rng.IntN(16) {
			b.WriteByte(' ')
			b.WriteString(vocabulary[rng.IntN(len(vocabulary))])
		}
		b.WriteByte('.')
		c.products[i] = Product{SKU: SKU(i), Name: name, Category: cat, Description: b.String()}
		c.bySKU[c.products[i].SKU] = i
	}
	return c
}

// Len is the number of products.
func (c *Catalog) Len() int { return len(c.products) }

// At returns the i-th product in listing order.
func (c *Catalog) At(i int) *Product { return &c.products[i] }

// Get returns the product with the given SKU.
func (c *Catalog) Get(sku string) (*Product, bool) {
	i, ok := c.bySKU[sku]
	if !ok {
		return nil, false
	}
	return &c.products[i], true
}
