package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSigningCommandsWarnAboutOpenKeys: statement sign and request sign
// sign with a private key file that others may read, but say so on standard
// error with the file and the fix; a 0600 key signs without a word.
func TestSigningCommandsWarnAboutOpenKeys(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	demo, err := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", "federation-key.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	stmtFile := filepath.Join(t.TempDir(), "statement.jwt")
	if err := os.WriteFile(stmtFile, []byte(demoStatement(t, `{"software_id":"x"}`)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		mode     os.FileMode
		args     func(key string) []string
		wantWarn string
	}{
		{"statement sign, key 0644", 0o644, func(k string) []string { return []string{"statement", "sign", "-key", k, "-iss", "x"} },
			"registrar statement sign: warning: %s: permissions 0644 are too open (readable by others); run chmod 600 %s"},
		{"request sign, key 0660", 0o660, func(k string) []string {
			return []string{"request", "sign", "-key", k, "-statement", stmtFile, "-aud", "https://registrar.example"}
		}, "registrar request sign: warning: %s: permissions 0660 are too open (writable by group)"},
		{"statement sign, key 0600", 0o600, func(k string) []string { return []string{"statement", "sign", "-key", k, "-iss", "x"} }, ""},
		{"request sign, key 0440", 0o440, func(k string) []string {
			return []string{"request", "sign", "-key", k, "-statement", stmtFile, "-aud", "https://registrar.example"}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := filepath.Join(t.TempDir(), "key.jwk")
			if err := os.WriteFile(key, demo, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(key, tc.mode); err != nil {
				t.Fatal(err)
			}
			e, stdout, stderr := testEnv(`{}`)
			if code := run(context.Background(), tc.args(key), e); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if strings.Count(stdout.String(), ".") != 2 {
				t.Errorf("no compact JWS on standard output: %q", stdout.String())
			}
			if tc.wantWarn == "" {
				if stderr.String() != "" {
					t.Errorf("warned about a closed key: %q", stderr.String())
				}
				return
			}
			want := strings.ReplaceAll(tc.wantWarn, "%s", key)
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("standard error %q, want %q", stderr.String(), want)
			}
		})
	}
}
