package main

import (
	"bytes"
	"fmt"
)

// writeResponse writes r's response into buf: a header, a call to the
// backend for the data, then r.size bytes of body.
func writeResponse(buf *bytes.Buffer, r request, b *backend) {
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nX-Request-Id: %d\r\n\r\n", r.id)
	b.call(r)
	for buf.Len() < r.size {
		buf.WriteString("0123456789abcdef")
	}
}

// appendResponse appends r's response to dst, as writeResponse writes it.
func appendResponse(dst []byte, r request, b *backend) []byte {
	dst = fmt.Appendf(dst, "HTTP/1.1 200 OK\r\nX-Request-Id: %d\r\n\r\n", r.id)
	b.call(r)
	for len(dst) < r.size {
		dst = append(dst, "0123456789abcdef"...)
	}
	return dst
}
