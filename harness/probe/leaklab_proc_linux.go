//go:build linux

// Code injected by Go Leak Lab's harness through `go build -overlay`, on Linux only (the harness
// adds it only when it builds for Linux): the probe's counts of open file descriptors and child
// processes, read from /proc without allocating (a sample must not add to the program's heap).

package main

import (
	"syscall"
	"unsafe"
)

var leaklabProcInit = leaklabProcSetup()

// leaklabProcDirs: /proc/self/fd and /proc/self/task, kept open and rewound for each read (one
// lseek and one or two getdents instead of an open and a close as well).
var leaklabProcDirs = [2]int{-1, -1}

var (
	leaklabDirentBuf [8192]byte
	leaklabTaskBuf   [8192]byte
	leaklabChildBuf  [4096]byte
	leaklabPathBuf   [64]byte
)

func leaklabProcSetup() bool {
	for i, dir := range []string{"/proc/self/fd", "/proc/self/task"} {
		fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return false // no /proc here: the samples carry no fds/children
		}
		leaklabProcDirs[i] = fd
		leaklabOwnFDs.Add(1)
	}
	leaklabProc = leaklabProcCounts
	return true
}

// leaklabDirents calls each(name) for every entry of a getdents buffer but "." and "..".
func leaklabDirents(b []byte, each func(name []byte)) {
	for len(b) >= 19 { // linux_dirent64: ino 8, off 8, reclen 2, type 1, name
		reclen := int(b[16]) | int(b[17])<<8
		if reclen < 19 || reclen > len(b) {
			return
		}
		name := b[19:reclen]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if !(len(name) == 1 && name[0] == '.' || len(name) == 2 && name[0] == '.' && name[1] == '.') {
			each(name)
		}
		b = b[reclen:]
	}
}

// leaklabReadDir rewinds an open directory and calls each for its entries; false on an error.
func leaklabReadDir(fd int, buf []byte, each func(name []byte)) bool {
	if _, err := syscall.Seek(fd, 0, 0); err != nil {
		return false
	}
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err != nil {
			return false
		}
		if n <= 0 {
			return true
		}
		leaklabDirents(buf[:n], each)
	}
}

// leaklabProcCounts returns the process's open file descriptors and its child processes (the
// children of every thread, zombies included: a child that exited stays its parent's child until
// it is waited for); -1 for a count it could not read.
func leaklabProcCounts() (fds, children int) {
	fds, children = 0, 0
	if !leaklabReadDir(leaklabProcDirs[0], leaklabDirentBuf[:], func([]byte) { fds++ }) {
		fds = -1
	}
	ok := leaklabReadDir(leaklabProcDirs[1], leaklabTaskBuf[:], func(tid []byte) {
		if len(tid)+len("/children")+1 > len(leaklabPathBuf) {
			return
		}
		p := append(append(append(leaklabPathBuf[:0], tid...), "/children"...), 0)
		r, _, errno := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(leaklabProcDirs[1]),
			uintptr(unsafe.Pointer(&p[0])), syscall.O_RDONLY|syscall.O_CLOEXEC, 0, 0, 0)
		if errno != 0 {
			return // the thread is gone, or the kernel has no children files
		}
		leaklabOwnFDs.Add(1)
		in := false
		for {
			n, err := syscall.Read(int(r), leaklabChildBuf[:])
			if err != nil || n <= 0 {
				break
			}
			for _, c := range leaklabChildBuf[:n] {
				if c == ' ' || c == '\n' {
					in = false
				} else if !in {
					in, children = true, children+1
				}
			}
		}
		syscall.Close(int(r))
		leaklabOwnFDs.Add(-1)
	})
	if !ok {
		children = -1
	}
	return fds, children
}
