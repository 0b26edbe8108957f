package main

// chainDemo keeps n sessions reachable from the registry, then cuts the
// chain registry → session → buffer one link at a time.
func chainDemo(n, size int, report func(step)) {
	report(snapshot("start"))
	for id := range n {
		s := open(id, size)
		handle(s)
		leaky{}.close(s)
	}
	report(snapshot("sessions closed, still registered"))
	for _, s := range registry {
		s.buf = nil
	}
	report(snapshot("link session→buffer cut"))
	clear(registry)
	report(snapshot("link registry→session cut"))
}

// blob is a large object: 4 MiB.
type blob [4 << 20]byte

var global *blob

// rootsDemo holds four blobs in four ways and lets go of them in turn.
func rootsDemo(report func(step)) {
	report(snapshot("start"))
	global = watch(new(blob), "global var")
	wake, done := make(chan struct{}), make(chan int)
	go useAfterWait(watch(new(blob), "stack, used later"), wake, done)
	go forgetBeforeWait(watch(new(blob), "stack, unused later"), wake, done)
	local := watch(new(blob), "local, past last use")
	local[0] = 1
	report(snapshot("4 blobs allocated"))
	global = nil
	report(snapshot("global = nil"))
	close(wake)
	<-done
	<-done
	report(snapshot("goroutines returned"))
}

// useAfterWait needs b after it wakes: b is live on its stack while it waits.
func useAfterWait(b *blob, wake <-chan struct{}, done chan<- int) {
	<-wake
	done <- int(b[0])
}

// forgetBeforeWait is done with b before it waits: the stack no longer
// counts as a reference, though the goroutine is still alive.
func forgetBeforeWait(b *blob, wake <-chan struct{}, done chan<- int) {
	n := int(b[0])
	<-wake
	done <- n
}
