package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// manifestDirs hold every manifest the docs ship: docs/kubernetes is
// applied whole (`kubectl apply -f docs/kubernetes/`), docs/serverless
// file by file.
var manifestDirs = []string{"docs/kubernetes", "docs/serverless"}

// TestManifestsDecodeStrictly: every YAML document in the manifest
// directories is a known apiVersion and kind and decodes into its type
// with no unknown, miscased or duplicate field and no wrongly typed value.
func TestManifestsDecodeStrictly(t *testing.T) {
	total := 0
	for _, dir := range manifestDirs {
		_, files, err := LoadDir(filepath.Join(root, dir))
		if len(files) == 0 {
			t.Errorf("%s: no manifest files: %v", dir, err)
		}
		for _, f := range files {
			t.Run(strings.TrimPrefix(f, root+"/"), func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				docs, err := Decode(f, data)
				if err != nil {
					t.Error(err)
				}
				if len(docs) == 0 && err == nil {
					t.Error("no document")
				}
				total += len(docs)
			})
		}
	}
	if total < 6 {
		t.Errorf("decoded %d documents; want at least the Deployment, Service, ConfigMap, PDB, HPA and Knative Service", total)
	}
}

// TestDecodeRefuses: the decoder is strict where the API server is, so
// that the test above means something.
func TestDecodeRefuses(t *testing.T) {
	const head = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
	for _, c := range []struct {
		name, doc, want string
	}{
		{"unknown field", head + "spec:\n  template:\n    spec:\n      enableServiceLink: false\n", `unknown field "spec.template.spec.enableServiceLink"`},
		{"field in the wrong letter case", head + "spec:\n  template:\n    spec:\n      EnableServiceLinks: false\n", "unknown field"},
		{"field at the wrong level", head + "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n          securityContext: {fsGroup: 1}\n", `unknown field "spec.template.spec.containers[0].securityContext.fsGroup"`},
		{"duplicate key", head + "spec:\n  minReadySeconds: 1\n  minReadySeconds: 2\n", "already set"},
		{"wrong type", head + "spec:\n  replicas: three\n", "replicas"},
		{"unknown kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", "not a kind"},
		{"wrong apiVersion", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n", "not a kind"},
		{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "metadata.name"},
		{"unknown Knative field", "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containerConcurency: 1\n", "unknown field"},
		{"second document", head + "---\n" + head + "spec: {replica: 1}\n", "#1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("test.yaml", []byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want one containing %q", err, c.want)
			}
		})
	}
}

// TestKnownVariablesReadsTheREADMETable: the list the env rule checks
// against is the README's configuration table, abbreviations included.
func TestKnownVariablesReadsTheREADMETable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	known := KnownVariables(readme)
	if len(known) < 30 {
		t.Errorf("%d variables in README's table; the table moved or changed shape", len(known))
	}
	for _, name := range []string{"REGISTRAR_ADDR", "REGISTRAR_KEYS_DIR", "REGISTRAR_READ_TIMEOUT", "REGISTRAR_IDLE_TIMEOUT", "REGISTRAR_TOKEN_ENDPOINT"} {
		if !known[name] {
			t.Errorf("%s not read from README's table", name)
		}
	}
	if known["REGISTRAR_GOMAXPROCS"] || known["REGISTRAR"] {
		t.Error("read a name that is not in the table")
	}
}
