// Injected with the probe for Go 1.23+: capture the end state when the program's main returns
// (the runtime runs exit hooks then) and when it leaves through os.Exit (e.g.
// `func main() { os.Exit(run()) }`). Nothing of the program is renamed or wrapped.
// The linkname needs -ldflags=-checklinkname=0, which the harness passes with this file.

package main

import _ "unsafe" // for go:linkname

// leaklabHook has the layout of internal/runtime/exithook.Hook.
type leaklabHook struct {
	F            func()
	RunOnFailure bool
}

//go:linkname leaklabAddExitHook internal/runtime/exithook.Add
func leaklabAddExitHook(h leaklabHook)

func init() {
	leaklabAddExitHook(leaklabHook{F: func() { leaklabProbe.finish("exited") }, RunOnFailure: true})
}
