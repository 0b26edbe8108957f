// Pattern: Moby devmapper AB-BA deadlock (GoKer moby#4951): one path takes the global
// devices lock then a device lock, another takes them in the opposite order. Whether
// they deadlock depends on scheduling; with many iterations it almost always does.
// expect: leak
// category: mutex
// repeat: 5
// min-detect: 0.6
// site: main.(*deviceSet).deleteDevice | sync.Mutex.Lock | proven
// site: main.(*deviceSet).activate | sync.Mutex.Lock | proven

package main

import (
	"fmt"
	"sync"
	"time"
)

type device struct{ mu sync.Mutex }

type deviceSet struct {
	mu   sync.Mutex
	base *device
}

func (d *deviceSet) deleteDevice(n int) {
	for i := 0; i < n; i++ {
		d.mu.Lock()
		d.base.mu.Lock()
		d.base.mu.Unlock()
		d.mu.Unlock()
	}
}

func (d *deviceSet) activate(n int) {
	for i := 0; i < n; i++ {
		d.base.mu.Lock()
		d.mu.Lock() // BUG: opposite order
		d.mu.Unlock()
		d.base.mu.Unlock()
	}
}

func main() {
	d := &deviceSet{base: &device{}}
	go d.deleteDevice(1_000_000)
	go d.activate(1_000_000)
	time.Sleep(100 * time.Millisecond)
	fmt.Println("done waiting")
}
