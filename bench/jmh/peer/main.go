// Command peer runs the peer's code for the loops bench/jmh measures in Litefleet, over the same input: Litestream
// v0.5.16's WAL reader and WAL checksum, ltx v0.5.2's encoder (the version Litestream v0.5.16 pins), Go's
// hash/crc64 with the ISO table (what ltx checksums with), and path/filepath.Match for discovery (Litestream's
// directory mode matches file names with it). Usage: peer -wal FILE -mib N [-runs 5] (each run about 1 s); prints
// JSON: for each benchmark, ns per operation of every run, and what one operation handles.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/crc64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

const (
	walHeaderSize   = 32
	frameHeaderSize = 24
	// The fleet pattern and paths of bench/jmh's MatchBench.
	pattern = "/data/*/databases/*/branches/*/tenants/*.db"
	paths   = 1000
)

type result struct {
	NsPerOp    []float64 `json:"ns_per_op"`
	BytesPerOp int       `json:"bytes_per_op"` // MiB of page data (as bench/jmh counts); 0 for matching (per path)
	Note       string    `json:"note"`
}

func main() {
	walPath := flag.String("wal", "", "a -wal file SQLite wrote (bench/jmh's fixture)")
	mib := flag.Int("mib", 4, "MiB of pages for the encode and CRC benchmarks")
	runs := flag.Int("runs", 5, "runs of each benchmark")
	flag.Parse()
	wal, err := os.ReadFile(*walPath)
	if err != nil {
		fail(err)
	}
	pages := walPages(wal, *mib)
	flat := bytes.Join(pages, nil)
	out := map[string]result{}
	bench := func(name string, bytesPerOp int, note string, perOp int, f func(b *testing.B)) {
		r := result{BytesPerOp: bytesPerOp, Note: note}
		for i := 0; i < *runs; i++ {
			res := testing.Benchmark(f)
			r.NsPerOp = append(r.NsPerOp, float64(res.T.Nanoseconds())/float64(res.N)/float64(perOp))
		}
		out[name] = r
	}
	bench("WalBench.scan", len(flat), "litestream.WALReader.ReadFrame over the whole file", 1, func(b *testing.B) {
		f, err := os.Open(*walPath)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		data := make([]byte, binary.BigEndian.Uint32(wal[8:]))
		for i := 0; i < b.N; i++ {
			r, err := litestream.NewWALReader(f, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, _, err := r.ReadFrame(context.Background(), data); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	bench("WalBench.checksum", len(flat), "litestream.WALChecksum chained over every frame in memory", 1, func(b *testing.B) {
		bo := binary.ByteOrder(binary.LittleEndian)
		if binary.BigEndian.Uint32(wal) == 0x377f0683 {
			bo = binary.BigEndian
		}
		frameSize := frameHeaderSize + int(binary.BigEndian.Uint32(wal[8:]))
		for i := 0; i < b.N; i++ {
			s0, s1 := binary.BigEndian.Uint32(wal[24:]), binary.BigEndian.Uint32(wal[28:])
			for at := walHeaderSize; at+frameSize <= len(wal); at += frameSize {
				s0, s1 = litestream.WALChecksum(bo, s0, s1, wal[at:at+8])
				s0, s1 = litestream.WALChecksum(bo, s0, s1, wal[at+frameHeaderSize:at+frameSize])
			}
		}
	})
	buf := bytes.NewBuffer(make([]byte, 0, 2*len(flat)))
	bench("LtxBench.encode", len(flat), "ltx.Encoder (LZ4 blocks, no-checksum mode) into a reused buffer", 1, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf.Reset()
			enc, err := ltx.NewEncoder(buf)
			if err != nil {
				b.Fatal(err)
			}
			hdr := ltx.Header{Version: ltx.Version, Flags: ltx.HeaderFlagNoChecksum, PageSize: uint32(len(pages[0])),
				Commit: uint32(len(pages)), MinTXID: 2, MaxTXID: 2, Timestamp: 1}
			if err := enc.EncodeHeader(hdr); err != nil {
				b.Fatal(err)
			}
			for j, p := range pages {
				if err := enc.EncodePage(ltx.PageHeader{Pgno: uint32(j + 1)}, p); err != nil {
					b.Fatal(err)
				}
			}
			if err := enc.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	table := crc64.MakeTable(crc64.ISO)
	bench("LtxBench.crc64", len(flat), "hash/crc64 with the ISO table", 1, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			crc64.Checksum(flat, table)
		}
	})
	names, full := matchInput()
	bench("MatchBench.match", 0, "filepath.Match of the whole path (no captures)", paths, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, p := range full {
				filepath.Match(pattern, p)
			}
		}
	})
	bench("MatchBench.accept", 0, "filepath.Match(\"*.db\", name), as directory mode matches names", paths, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, n := range names {
				filepath.Match("*.db", n)
			}
		}
	})
	json.NewEncoder(os.Stdout).Encode(out)
}

// walPages returns the first mib MiB of the WAL's page images, as LtxBench takes them.
func walPages(wal []byte, mib int) [][]byte {
	pageSize := int(binary.BigEndian.Uint32(wal[8:]))
	frameSize := frameHeaderSize + pageSize
	var all [][]byte
	for at := walHeaderSize; at+frameSize <= len(wal); at += frameSize {
		all = append(all, wal[at+frameHeaderSize:at+frameSize])
	}
	n := mib << 20 / pageSize
	if len(all) < n {
		fail(fmt.Errorf("the WAL holds %d pages, %d needed", len(all), n))
	}
	return all[:n]
}

// matchInput builds the same names and paths as MatchBench.
func matchInput() (names, full []string) {
	for i := 0; i < paths; i++ {
		suffix := ".db"
		if i%10 == 3 {
			suffix = ".db-wal"
		} else if i%10 == 7 {
			suffix = ".txt"
		}
		name := fmt.Sprintf("tenant-%d%s", i, suffix)
		branch := "main"
		if i%3 != 0 {
			branch = fmt.Sprintf("feature-%d", i%5)
		}
		names = append(names, name)
		full = append(full, fmt.Sprintf("/data/project-%d/databases/db-%d/branches/%s/tenants/%s", i%10, i%7, branch, name))
	}
	return names, full
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "peer:", err)
	os.Exit(1)
}
