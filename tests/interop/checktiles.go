// Command checktiles reads a deedflow register book as C2SP tlog-tiles over HTTP with Go's own
// transparency-log code (golang.org/x/mod/sumdb/note and sumdb/tlog), written by others: it opens
// the book's checkpoint note with its published verifier key, reads the tiles it needs (each
// checked against the signed root by tlog.TileHashReader), proves an entry's inclusion from them,
// reads the entry from its entry bundle and checks it is that leaf, and proves the checkpoint
// consistent with an older one. It reads one JSON object on stdin and prints "ok", or the first
// failure and exits 1. Used by tests/integration/test_tiles.py.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	Prefix      string `json:"prefix"`
	VerifierKey string `json:"verifier_key"`
	Index       int64  `json:"index"`
	OldNote     string `json:"old_note"`
}

type head struct {
	origin string
	size   int64
	root   tlog.Hash
}

func open(verifiers note.Verifiers, text []byte) (head, error) {
	n, err := note.Open(text, verifiers)
	if err != nil {
		return head{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return head{}, errors.New("a checkpoint is three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return head{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return head{}, errors.New("the root is not a base64 SHA-256 hash")
	}
	var root tlog.Hash
	copy(root[:], raw)
	return head{lines[0], size, root}, nil
}

func fetch(url string) ([]byte, error) {
	response, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, response.Status)
	}
	return io.ReadAll(response.Body)
}

// c2spPath is a tile's path in tlog-tiles, which has no height element (always 8).
func c2spPath(t tlog.Tile) string {
	return strings.Replace(t.Path(), "tile/8/", "tile/", 1)
}

type tiles struct{ prefix string }

func (r tiles) Height() int { return 8 }

func (r tiles) ReadTiles(wanted []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(wanted))
	for i, t := range wanted {
		body, err := fetch(r.prefix + "/" + c2spPath(t))
		if err != nil {
			return nil, err
		}
		data[i] = body
	}
	return data, nil
}

func (r tiles) SaveTiles([]tlog.Tile, [][]byte) {}

// entry reads leaf `index` from its entry bundle: big-endian uint16 lengths, then the leaves.
func entry(prefix string, size, index int64) ([]byte, error) {
	n := index / 256
	w := int(size - n*256)
	if w > 256 {
		w = 256
	}
	bundle := tlog.Tile{H: 8, L: 0, N: n, W: w}
	data, err := fetch(prefix + "/" + strings.Replace(c2spPath(bundle), "tile/0/", "tile/entries/", 1))
	if err != nil {
		return nil, err
	}
	for i := int64(0); i < int64(w); i++ {
		if len(data) < 2 {
			return nil, errors.New("the entry bundle ends early")
		}
		length := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+length {
			return nil, errors.New("an entry runs past the bundle")
		}
		if n*256+i == index {
			return data[2 : 2+length], nil
		}
		data = data[2+length:]
	}
	return nil, errors.New("the entry is not in its bundle")
}

func check(in input) error {
	verifier, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		return err
	}
	verifiers := note.VerifierList(verifier)
	signed, err := fetch(in.Prefix + "/checkpoint")
	if err != nil {
		return err
	}
	latest, err := open(verifiers, signed)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if latest.origin != verifier.Name() {
		return fmt.Errorf("the origin %q is not the key's name %q", latest.origin, verifier.Name())
	}
	reader := tlog.TileHashReader(tlog.Tree{N: latest.size, Hash: latest.root}, tiles{in.Prefix})
	root, err := tlog.TreeHash(latest.size, reader)
	if err != nil || root != latest.root {
		return fmt.Errorf("the tiles do not hash to the signed root: %v", err)
	}
	proof, err := tlog.ProveRecord(latest.size, in.Index, reader)
	if err != nil {
		return fmt.Errorf("inclusion from the tiles: %w", err)
	}
	leaf, err := entry(in.Prefix, latest.size, in.Index)
	if err != nil {
		return fmt.Errorf("entry: %w", err)
	}
	if err := tlog.CheckRecord(proof, latest.size, latest.root, in.Index, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("inclusion: %w", err)
	}
	old, err := open(verifiers, []byte(in.OldNote))
	if err != nil {
		return fmt.Errorf("old checkpoint: %w", err)
	}
	consistency, err := tlog.ProveTree(latest.size, old.size, reader)
	if err != nil {
		return fmt.Errorf("consistency from the tiles: %w", err)
	}
	if err := tlog.CheckTree(consistency, latest.size, latest.root, old.size, old.root); err != nil {
		return fmt.Errorf("consistency: %w", err)
	}
	return nil
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	if err := check(in); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("ok")
}
