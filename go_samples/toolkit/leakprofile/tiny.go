package main

import (
	"fmt"
	"reflect"
	"sync"
)

// A sync.Mutex is 8 bytes without pointers: the allocator packs such tiny
// objects together into 16-byte blocks, and the GC marks a block as a whole.

// counters keeps small live objects, like any program's bookkeeping.
var counters []*int64

// lockBlocks records the block of each lock, as a number: it keeps nothing
// alive. Its room is reserved up front: growing it from empty would make a
// tiny allocation of its own, right next to a lock.
var lockBlocks = make([]uintptr, 0, 1<<14)

func block(p any) uintptr { return reflect.ValueOf(p).Pointer() &^ 15 }

// tinyShared leaves a goroutine waiting on a lock nobody will unlock, and
// allocates a live counter right after the lock.
func tinyShared(int) {
	mu := new(sync.Mutex)
	counters = append(counters, new(int64))
	lockBlocks = append(lockBlocks, block(mu))
	lockForever(mu)
}

// tinyAlone is the same mistake with no live counter.
func tinyAlone(int) {
	mu := new(sync.Mutex)
	lockBlocks = append(lockBlocks, block(mu))
	lockForever(mu)
}

func lockForever(mu *sync.Mutex) {
	mu.Lock() // and never unlocked
	go func() {
		mu.Lock()
		defer mu.Unlock()
	}()
}

// sharedLocks counts the locks whose block also holds a live counter.
func sharedLocks() (shared, locks int) {
	live := map[uintptr]bool{}
	for _, c := range counters {
		live[block(c)] = true
	}
	for _, b := range lockBlocks {
		if live[b] {
			shared++
		}
	}
	return shared, len(lockBlocks)
}

// note reports, for the tiny cases, how many locks shared a block with a counter.
func note(which string) string {
	if which != "tiny-shared" && which != "tiny-alone" {
		return ""
	}
	shared, locks := sharedLocks()
	return fmt.Sprintf("; %d of %d locks share a 16-byte block with a live counter", shared, locks)
}
