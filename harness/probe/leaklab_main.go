// Injected with the probe only for toolchains without exit hooks (before Go 1.23), together
// with an overlay copy of the program's file in which its main is renamed leaklabUserMain:
// this main runs it, then captures the end state. From Go 1.23 on, the exit hook
// (leaklab_exithook.go) captures it and the program's main is left as it is, so that it runs
// in the same stack frame as without the probe.

package main

func main() {
	leaklabUserMain()
	leaklabProbe.finish("exited")
}
