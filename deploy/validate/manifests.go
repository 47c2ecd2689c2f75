// Package validate checks the deployment manifests shipped in docs/: every
// document decodes strictly into the Kubernetes (or Knative) type its
// apiVersion and kind name, and the manifests keep the rules Registrar
// needs to start and to survive (the tests in this package).
//
// It is a module of its own so that k8s.io/api, and what it brings, never
// enter the product's go.mod. `make test` runs it.
package validate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Document is one YAML document of a manifest file, decoded.
type Document struct {
	File       string // path as read
	Index      int    // 0-based position in the file
	APIVersion string
	Kind       string
	Name       string
	Object     any // *appsv1.Deployment, *corev1.Service, ... or *KnativeService
}

func (d Document) String() string {
	return fmt.Sprintf("%s#%d (%s %s)", d.File, d.Index, d.Kind, d.Name)
}

// newObject returns the typed object for apiVersion and kind, or false for
// a kind these manifests are not expected to hold.
func newObject(apiVersion, kind string) (any, bool) {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, true
	case "v1 Service":
		return &corev1.Service{}, true
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, true
	case "v1 Secret":
		return &corev1.Secret{}, true
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}, true
	case "serving.knative.dev/v1 Service":
		return &KnativeService{}, true
	}
	return nil, false
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// Decode decodes every document of a YAML stream strictly: a duplicate
// key, a field the type does not have (field names are case-sensitive, as
// the API server reads them), a value of the wrong type, or an apiVersion
// and kind not listed in newObject is an error.
func Decode(file string, data []byte) ([]Document, error) {
	var docs []Document
	var errs []error
	for i, part := range docSeparator.Split(string(data), -1) {
		if isBlank(part) {
			continue
		}
		d, err := decodeOne(part)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s#%d: %w", file, i, err))
			continue
		}
		d.File, d.Index = file, i
		docs = append(docs, d)
	}
	return docs, errors.Join(errs...)
}

func decodeOne(doc string) (Document, error) {
	// YAMLToJSONStrict refuses duplicate keys. YAML is read as kubectl
	// reads it (YAML 1.1: 0440 is octal).
	j, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return Document{}, err
	}
	var tm metav1.TypeMeta
	if err := kjson.UnmarshalCaseSensitivePreserveInts(j, &tm); err != nil {
		return Document{}, err
	}
	obj, ok := newObject(tm.APIVersion, tm.Kind)
	if !ok {
		return Document{}, fmt.Errorf("apiVersion %q kind %q is not a kind these manifests may hold", tm.APIVersion, tm.Kind)
	}
	strict, err := kjson.UnmarshalStrict(j, obj)
	if err != nil {
		return Document{}, err
	}
	if len(strict) > 0 {
		return Document{}, errors.Join(strict...)
	}
	name := ""
	if m, ok := obj.(metav1.Object); ok {
		name = m.GetName()
	}
	if name == "" {
		return Document{}, errors.New("metadata.name is missing")
	}
	return Document{APIVersion: tm.APIVersion, Kind: tm.Kind, Name: name, Object: obj}, nil
}

// isBlank reports whether a document holds only comments and blank lines.
func isBlank(doc string) bool {
	for line := range strings.SplitSeq(doc, "\n") {
		l := strings.TrimSpace(line)
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// LoadDir decodes every manifest file (*.yaml, *.yml, *.json: what
// `kubectl apply -f DIR` applies) in dir, in name order.
func LoadDir(dir string) ([]Document, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var files []string
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".yaml", ".yml", ".json":
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(files)
	var docs []Document
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		d, err := Decode(f, data)
		docs = append(docs, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return docs, files, errors.Join(errs...)
}

// KnownVariables returns the REGISTRAR_* names of the configuration table
// in README.md: the first cell of each row, where "`_READ_TIMEOUT`" after
// "`REGISTRAR_READ_HEADER_TIMEOUT`" abbreviates REGISTRAR_READ_TIMEOUT.
func KnownVariables(readme []byte) map[string]bool {
	known := map[string]bool{}
	tick := regexp.MustCompile("`([A-Z_][A-Z0-9_]*)`")
	for line := range bytes.SplitSeq(readme, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("| `REGISTRAR_")) {
			continue
		}
		first := string(bytes.SplitN(line[1:], []byte("|"), 2)[0])
		for _, m := range tick.FindAllStringSubmatch(first, -1) {
			name := m[1]
			if strings.HasPrefix(name, "_") {
				name = "REGISTRAR" + name
			}
			known[name] = true
		}
	}
	return known
}
