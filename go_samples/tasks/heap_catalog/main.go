// Command catalog serves product pages. Each request loads the product's
// image (kept in a cache, one per product of the catalog), renders the page
// into a scratch buffer and notes the visit for the recommendations.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// images caches one image per product: the catalog is finite.
var images = map[int][]byte{}

// visit is what the recommendations need to know about one request.
type visit struct {
	product int
	at      time.Time
	context []byte // the page's context, for "people who viewed this also viewed"
}

// visits holds the visits the recommendations have not yet consumed.
var visits []*visit

func loadImage(product, size int) []byte {
	img := make([]byte, size)
	for i := 0; i < len(img); i += 512 {
		img[i] = byte(product)
	}
	return img
}

func image(product, size int) []byte {
	if img, ok := images[product]; ok {
		return img
	}
	img := loadImage(product, size)
	images[product] = img
	return img
}

func newVisit(product int, page []byte, size int) *visit {
	return &visit{product: product, at: time.Now(), context: append(make([]byte, 0, size), page[:size]...)}
}

// render builds the page in a scratch buffer that is garbage right after.
func render(img []byte) []byte {
	page := make([]byte, 64<<10)
	for i := range page {
		page[i] = img[i%len(img)] + byte(i)
	}
	return page
}

// serve handles one request for a product.
func serve(product, imageBytes, visitBytes int) int {
	img := image(product, imageBytes)
	page := render(img)
	visits = append(visits, newVisit(product, page, visitBytes))
	return len(page)
}

// load serves rate requests per second, for products 0, 1, ... in turn,
// until duration is over; it returns the requests served.
func load(products, imageBytes, visitBytes, rate int, duration time.Duration) int {
	start, n := time.Now(), 0
	for time.Since(start) < duration {
		serve(n%products, imageBytes, visitBytes)
		n++
		time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(rate))))
	}
	return n
}

func main() {
	duration := flag.Duration("duration", 2*time.Second, "how long to serve")
	rate := flag.Int("rate", 200, "requests per second")
	products := flag.Int("products", 200, "products in the catalog")
	imageBytes := flag.Int("image", 96<<10, "bytes per product image")
	visitBytes := flag.Int("visit", 24<<10, "bytes of context per visit (at most 64 KiB)")
	flag.Parse()
	if *rate <= 0 || *products <= 0 || *imageBytes <= 0 || *visitBytes < 0 || *visitBytes > 64<<10 {
		fmt.Fprintln(os.Stderr, "usage: catalog -rate N -products N -image BYTES -visit BYTES -duration D")
		os.Exit(2)
	}
	n := load(*products, *imageBytes, *visitBytes, *rate, *duration)
	fmt.Printf("served %d requests; %d images cached, %d visits kept\n", n, len(images), len(visits))
}
