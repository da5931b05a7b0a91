// Command checkbook checks a deedflow register book with Go's own transparency-log code
// (golang.org/x/mod/sumdb/note and sumdb/tlog), written by others: a checkpoint's signed note
// against the book's published verifier key, an entry's inclusion proof and a consistency proof
// between two checkpoints. It reads one JSON object on stdin and prints "ok", or the first
// failure and exits 1. Used by tests/integration/test_registry.py.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	VerifierKey string   `json:"verifier_key"`
	Note        string   `json:"note"`
	OldNote     string   `json:"old_note"`
	Leaf        []byte   `json:"leaf"`
	LeafIndex   int64    `json:"leaf_index"`
	AuditPath   [][]byte `json:"audit_path"`
	Consistency [][]byte `json:"consistency"`
}

type head struct {
	origin string
	size   int64
	root   tlog.Hash
}

// open verifies a checkpoint note and reads its origin, size and root.
func open(verifiers note.Verifiers, text string) (head, error) {
	n, err := note.Open([]byte(text), verifiers)
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

func hashes(raw [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(raw))
	for i, h := range raw {
		if len(h) != tlog.HashSize {
			return nil, errors.New("a proof hash is not 32 bytes")
		}
		copy(out[i][:], h)
	}
	return out, nil
}

func check(in input) error {
	verifier, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		return err
	}
	verifiers := note.VerifierList(verifier)
	latest, err := open(verifiers, in.Note)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if latest.origin != verifier.Name() {
		return fmt.Errorf("the origin %q is not the key's name %q", latest.origin, verifier.Name())
	}
	path, err := hashes(in.AuditPath)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(path, latest.size, latest.root, in.LeafIndex, tlog.RecordHash(in.Leaf)); err != nil {
		return fmt.Errorf("inclusion: %w", err)
	}
	old, err := open(verifiers, in.OldNote)
	if err != nil {
		return fmt.Errorf("old checkpoint: %w", err)
	}
	proof, err := hashes(in.Consistency)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, latest.size, latest.root, old.size, old.root); err != nil {
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
