// Pattern: Moby devmapper nrDeletedDevices / gRPC (GoKer moby#17176, grpc#795): a
// method takes the lock and returns early on an error path without unlocking; every
// later caller blocks on Lock forever.
// expect: leak
// category: mutex, main-returns-immediately
// site: main.(*deviceSet).cleanup | sync.Mutex.Lock | proven

package main

import (
	"errors"
	"fmt"
	"sync"
)

type deviceSet struct {
	mu      sync.Mutex
	deleted int
}

func (d *deviceSet) nrDeleted() (int, error) {
	d.mu.Lock()
	if d.deleted == 0 {
		return 0, errors.New("no deleted devices") // BUG: d.mu still held
	}
	n := d.deleted
	d.mu.Unlock()
	return n, nil
}

func (d *deviceSet) cleanup() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.deleted = 0
}

func main() {
	d := &deviceSet{}
	if _, err := d.nrDeleted(); err != nil {
		fmt.Println("nrDeleted:", err)
	}
	for i := 0; i < 3; i++ {
		go d.cleanup()
	}
}
