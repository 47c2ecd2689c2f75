package fetch

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
)

// useFakeDNS makes c resolve names through an in-memory DNS server that
// knows only the given names, so tests can use host names other than
// "localhost" without sending any query to the network. Only loopback
// addresses may be given.
func useFakeDNS(c *Client, zone map[string][]netip.Addr) {
	for _, addrs := range zone {
		for _, a := range addrs {
			if !a.IsLoopback() {
				panic("fake DNS may only answer loopback addresses")
			}
		}
	}
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveDNS(server, zone)
			return client, nil
		},
	}
	c.guarded.Resolver = r
	c.open.Resolver = r
}

// serveDNS answers one DNS query over a stream (two-byte length prefix).
func serveDNS(conn net.Conn, zone map[string][]netip.Addr) {
	defer conn.Close()
	var lenBuf [2]byte
	if _, err := io.ReadFull(conn, lenBuf[:]); err != nil {
		return
	}
	q := make([]byte, binary.BigEndian.Uint16(lenBuf[:]))
	if _, err := io.ReadFull(conn, q); err != nil || len(q) < 12 {
		return
	}
	// Question: labels, then QTYPE and QCLASS.
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		n := int(q[i])
		if n&0xc0 != 0 || i+1+n > len(q) {
			return
		}
		labels = append(labels, string(q[i+1:i+1+n]))
		i += 1 + n
	}
	if i+5 > len(q) {
		return
	}
	qEnd := i + 5
	qtype := binary.BigEndian.Uint16(q[i+1:])
	name := strings.ToLower(strings.Join(labels, "."))

	addrs, known := zone[name]
	var answers [][]byte
	for _, a := range addrs {
		switch {
		case qtype == 1 && a.Is4():
			b := a.As4()
			answers = append(answers, b[:])
		case qtype == 28 && a.Is6():
			b := a.As16()
			answers = append(answers, b[:])
		}
	}

	resp := make([]byte, 12, 512)
	copy(resp[0:2], q[0:2]) // ID
	flags := uint16(0x8580) // QR, AA, RD, RA
	if !known {
		flags |= 3 // NXDOMAIN
	}
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1) // QDCOUNT
	binary.BigEndian.PutUint16(resp[6:], uint16(len(answers)))
	resp = append(resp, q[12:qEnd]...)
	for _, rdata := range answers {
		resp = append(resp, 0xc0, 12) // pointer to the question name
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, 1) // IN
		resp = binary.BigEndian.AppendUint32(resp, 0) // TTL
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
	_, _ = conn.Write(append(out, resp...))
}
