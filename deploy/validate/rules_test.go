package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// workload is a pod template: a Deployment's or a Knative Service's.
type workload struct {
	doc     Document
	labels  map[string]string
	annots  map[string]string
	pod     *corev1.PodSpec
	knative bool
}

func (w workload) String() string { return w.doc.String() }

// container is the registrar container (load checks it is the only one).
func (w workload) container() *corev1.Container { return &w.pod.Containers[0] }

func (w workload) env() map[string]corev1.EnvVar {
	m := map[string]corev1.EnvVar{}
	for _, e := range w.container().Env {
		m[e.Name] = e
	}
	return m
}

// set is every manifest, decoded.
type set struct {
	docs        []Document
	byDir       map[string][]Document
	workloads   []workload
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	configMaps  map[string]*corev1.ConfigMap
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	known       map[string]bool
}

func load(t *testing.T) *set {
	t.Helper()
	s := &set{byDir: map[string][]Document{}, configMaps: map[string]*corev1.ConfigMap{}}
	for _, dir := range manifestDirs {
		docs, _, err := LoadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatalf("manifests do not decode (TestManifestsDecodeStrictly says which): %v", err)
		}
		s.byDir[dir] = docs
		s.docs = append(s.docs, docs...)
	}
	for _, d := range s.docs {
		switch o := d.Object.(type) {
		case *appsv1.Deployment:
			s.deployments = append(s.deployments, o)
			s.workloads = append(s.workloads, workload{doc: d, labels: o.Spec.Template.Labels, annots: o.Spec.Template.Annotations, pod: &o.Spec.Template.Spec})
		case *KnativeService:
			s.workloads = append(s.workloads, workload{doc: d, labels: o.Spec.Template.Labels, annots: o.Spec.Template.Annotations, pod: &o.Spec.Template.Spec.PodSpec, knative: true})
		case *corev1.Service:
			s.services = append(s.services, o)
		case *corev1.ConfigMap:
			s.configMaps[o.Name] = o
		case *policyv1.PodDisruptionBudget:
			s.pdbs = append(s.pdbs, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			s.hpas = append(s.hpas, o)
		}
	}
	if len(s.deployments) != 1 {
		t.Fatalf("%d Deployments; the rules below expect one", len(s.deployments))
	}
	for _, w := range s.workloads {
		if len(w.pod.Containers) != 1 {
			t.Fatalf("%s: %d containers; the rules below expect the one registrar container", w, len(w.pod.Containers))
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s.known = KnownVariables(readme)
	return s
}

// report collects a rule's problems.
type report struct{ problems []string }

func (r *report) add(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// rules are what Registrar needs from its manifests to start, to keep
// serving through probes, drains and scaling, and to keep its keys private.
var rules = []struct {
	name  string
	check func(r *report, s *set)
}{
	{"service links are off", ruleServiceLinksOff},
	{"no service account token is mounted", ruleNoServiceAccountToken},
	{"readiness probe rides out a slow answer", ruleReadinessProbe},
	{"liveness probe restarts only a dead process", ruleLivenessProbe},
	{"GOMAXPROCS is left to the Go runtime", ruleNoGOMAXPROCS},
	{"every REGISTRAR variable is a documented one", ruleKnownVariables},
	{"listen addresses match the declared ports", rulePorts},
	{"runs as non-root with a read-only root filesystem and no privileges", ruleSecurityContext},
	{"keys Secret is 0440 for fsGroup and mounted read-only", ruleKeysVolume},
	{"trusted issuers file comes from the ConfigMap", ruleTrustFile},
	{"replicas spread over zones and nodes", ruleTopologySpread},
	{"PDB lets one replica go at a time", rulePDB},
	{"HPA target is a fair share of what a pod may use", ruleHPA},
	{"the HPA alone sets the replica count", ruleNoReplicasWithHPA},
	{"grace period covers preStop and the shutdown timeout", ruleGracePeriod},
	{"Service exposes the API only", ruleService},
	{"kubectl apply of docs/kubernetes creates no keys Secret", ruleNoSecretApplied},
	{"Knative Service uses only fields Knative accepts", ruleKnativeFields},
}

// TestManifestRules: the manifests keep every rule; each problem names the
// manifest that breaks it.
func TestManifestRules(t *testing.T) {
	s := load(t)
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			var r report
			rule.check(&r, s)
			for _, p := range r.problems {
				t.Error(p)
			}
		})
	}
}

func ruleServiceLinksOff(r *report, s *set) {
	for _, w := range s.workloads {
		if p := w.pod.EnableServiceLinks; p == nil || *p {
			r.add("%s: enableServiceLinks must be false: a Service named registrar injects REGISTRAR_SERVICE_HOST, REGISTRAR_PORT, ... into every pod", w)
		}
	}
}

func ruleNoServiceAccountToken(r *report, s *set) {
	for _, w := range s.workloads {
		if p := w.pod.AutomountServiceAccountToken; p == nil || *p {
			r.add("%s: automountServiceAccountToken must be false: Registrar never calls the Kubernetes API", w)
		}
	}
}

// probe returns p's settings with the API server's defaults applied.
func probe(p *corev1.Probe) (period, timeout, failures int32) {
	period, timeout, failures = p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold
	if period == 0 {
		period = 10
	}
	if timeout == 0 {
		timeout = 1
	}
	if failures == 0 {
		failures = 3
	}
	return
}

func ruleReadinessProbe(r *report, s *set) {
	for _, w := range s.workloads {
		p := w.container().ReadinessProbe
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
			r.add("%s: readiness probe must be an HTTP GET of /readyz", w)
			continue
		}
		period, timeout, failures := probe(p)
		if failures < 3 {
			r.add("%s: readiness failureThreshold %d: one or two slow answers take the pod out of the Service; want at least 3", w, failures)
		}
		if timeout < 2 {
			r.add("%s: readiness timeoutSeconds %d: want at least 2", w, timeout)
		}
		if p.PeriodSeconds != 0 && timeout >= period {
			r.add("%s: readiness timeoutSeconds %d must be below periodSeconds %d", w, timeout, period)
		}
	}
}

func ruleLivenessProbe(r *report, s *set) {
	for _, w := range s.workloads {
		p := w.container().LivenessProbe
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
			r.add("%s: liveness probe must be an HTTP GET of /healthz", w)
			continue
		}
		period, timeout, failures := probe(p)
		if timeout < 2 {
			r.add("%s: liveness timeoutSeconds %d: want at least 2", w, timeout)
		}
		if window := period * failures; window < 30 {
			r.add("%s: liveness restarts after %ds of failures; want at least 30s", w, window)
		}
	}
}

func ruleNoGOMAXPROCS(r *report, s *set) {
	for _, w := range s.workloads {
		if _, ok := w.env()["GOMAXPROCS"]; ok {
			r.add("%s: GOMAXPROCS is set: Go 1.25 and later derive it from the CPU limit (and follow changes)", w)
		}
	}
}

func ruleKnownVariables(r *report, s *set) {
	for _, w := range s.workloads {
		for name := range w.env() {
			if strings.HasPrefix(name, "REGISTRAR_") && !s.known[name] {
				r.add("%s: %s is not in README's configuration table; Registrar refuses to start with it", w, name)
			}
		}
	}
}

// port returns the port of a listen address such as ":8080", or -1.
func port(addr string) int32 {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return -1
	}
	return int32(n)
}

func containerPort(c *corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func rulePorts(r *report, s *set) {
	for _, w := range s.workloads {
		c, env := w.container(), w.env()
		if w.knative {
			// Knative sets PORT to the one container port; REGISTRAR_ADDR
			// would override it.
			if _, ok := env["REGISTRAR_ADDR"]; ok {
				r.add("%s: REGISTRAR_ADDR is set: Knative says where to listen with PORT", w)
			}
			if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 8080 {
				r.add("%s: want one container port, 8080", w)
			}
			continue
		}
		addr, ok := env["REGISTRAR_ADDR"]
		if !ok || port(addr.Value) != containerPort(c, "http") {
			r.add("%s: REGISTRAR_ADDR %q does not listen on the container port named http (%d)", w, addr.Value, containerPort(c, "http"))
		}
		if m, ok := env["REGISTRAR_METRICS_ADDR"]; ok {
			mp := port(m.Value)
			if mp != containerPort(c, "metrics") {
				r.add("%s: REGISTRAR_METRICS_ADDR %q does not listen on the container port named metrics", w, m.Value)
			}
			if a := w.annots["prometheus.io/port"]; a != strconv.Itoa(int(mp)) {
				r.add("%s: prometheus.io/port %q; the metrics listener is on %d", w, a, mp)
			}
		}
	}
}

func ruleSecurityContext(r *report, s *set) {
	for _, w := range s.workloads {
		psc := w.pod.SecurityContext
		c := w.container()
		sc := c.SecurityContext
		if psc == nil || sc == nil {
			r.add("%s: pod and container securityContext are required", w)
			continue
		}
		if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
			r.add("%s: runAsNonRoot must be true", w)
		}
		if psc.RunAsUser == nil || *psc.RunAsUser == 0 {
			r.add("%s: runAsUser must be a non-root uid (65532, the image's)", w)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			r.add("%s: readOnlyRootFilesystem must be true", w)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			r.add("%s: allowPrivilegeEscalation must be false", w)
		}
		if sc.Privileged != nil && *sc.Privileged {
			r.add("%s: privileged", w)
		}
		if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" || len(sc.Capabilities.Add) != 0 {
			r.add("%s: capabilities must drop ALL and add none", w)
		}
		seccomp := psc.SeccompProfile
		if sc.SeccompProfile != nil {
			seccomp = sc.SeccompProfile
		}
		if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
			r.add("%s: seccompProfile must be RuntimeDefault", w)
		}
	}
}

// mountFor returns the volume mount at path and its volume.
func mountFor(w workload, c *corev1.Container, path string) (*corev1.VolumeMount, *corev1.Volume) {
	for i, m := range c.VolumeMounts {
		if m.MountPath == path {
			for j, v := range w.pod.Volumes {
				if v.Name == m.Name {
					return &c.VolumeMounts[i], &w.pod.Volumes[j]
				}
			}
			return &c.VolumeMounts[i], nil
		}
	}
	return nil, nil
}

func ruleKeysVolume(r *report, s *set) {
	for _, w := range s.workloads {
		c := w.container()
		dir, ok := w.env()["REGISTRAR_KEYS_DIR"]
		if !ok {
			r.add("%s: REGISTRAR_KEYS_DIR is not set", w)
			continue
		}
		m, v := mountFor(w, c, dir.Value)
		if m == nil || v == nil || v.Secret == nil {
			r.add("%s: REGISTRAR_KEYS_DIR %s is not a mounted Secret volume", w, dir.Value)
			continue
		}
		if !m.ReadOnly {
			r.add("%s: the keys mount must be readOnly: Registrar accepts the Secret volume's 1777 root only on a read-only mount", w)
		}
		if m.SubPath != "" {
			r.add("%s: the keys volume must be mounted whole, not with subPath", w)
		}
		if mode := v.Secret.DefaultMode; mode == nil || *mode != 0o440 {
			got := "unset (0644)"
			if mode != nil {
				got = fmt.Sprintf("%04o", *mode)
			}
			r.add("%s: keys Secret defaultMode %s; want 0440: Registrar refuses key files others may read", w, got)
		}
		for _, it := range v.Secret.Items {
			if it.Mode != nil && *it.Mode&0o027 != 0 {
				r.add("%s: keys Secret item %s mode %04o is open to others", w, it.Key, *it.Mode)
			}
		}
		if psc := w.pod.SecurityContext; psc == nil || psc.FSGroup == nil {
			r.add("%s: fsGroup is required: it makes the 0440 key files readable by the process's group", w)
		}
	}
}

func ruleTrustFile(r *report, s *set) {
	for _, w := range s.workloads {
		c := w.container()
		f, ok := w.env()["REGISTRAR_TRUSTED_ISSUERS_FILE"]
		if !ok {
			continue
		}
		dir, name := filepath.Split(f.Value)
		m, v := mountFor(w, c, filepath.Clean(dir))
		if m == nil || v == nil || v.ConfigMap == nil {
			r.add("%s: %s is not in a mounted ConfigMap volume", w, f.Value)
			continue
		}
		if m.SubPath != "" {
			r.add("%s: the trust ConfigMap is mounted with subPath: the kubelet would never update it", w)
		}
		cm, ok := s.configMaps[v.ConfigMap.Name]
		if !ok {
			r.add("%s: ConfigMap %s is in no manifest", w, v.ConfigMap.Name)
			continue
		}
		data, ok := cm.Data[name]
		if !ok {
			r.add("%s: ConfigMap %s has no key %s", w, cm.Name, name)
			continue
		}
		var doc struct {
			Issuers []map[string]any `json:"issuers"`
		}
		if err := json.Unmarshal([]byte(data), &doc); err != nil || len(doc.Issuers) == 0 {
			r.add("ConfigMap %s: %s is not a trusted issuers file with issuers: %v", cm.Name, name, err)
		}
	}
}

func ruleTopologySpread(r *report, s *set) {
	for _, w := range s.workloads {
		if w.knative {
			continue // Knative has no topologySpreadConstraints without a feature flag
		}
		want := map[string]corev1.UnsatisfiableConstraintAction{
			"topology.kubernetes.io/zone": corev1.ScheduleAnyway,
			"kubernetes.io/hostname":      "",
		}
		for _, c := range w.pod.TopologySpreadConstraints {
			action, ok := want[c.TopologyKey]
			if !ok {
				continue
			}
			delete(want, c.TopologyKey)
			if action != "" && c.WhenUnsatisfiable != action {
				r.add("%s: spread over %s is %s; want %s", w, c.TopologyKey, c.WhenUnsatisfiable, action)
			}
			sel, err := metaSelector(c.LabelSelector)
			if err != nil || !sel.Matches(labels.Set(w.labels)) {
				r.add("%s: spread over %s selects other pods than these: %v", w, c.TopologyKey, err)
			}
		}
		for key := range want {
			r.add("%s: no topology spread constraint over %s", w, key)
		}
	}
}

// allowedDisruptions is how many of n healthy pods the PDB lets go (n
// for a value it cannot read).
func allowedDisruptions(pdb *policyv1.PodDisruptionBudget, n int) int {
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, n, true)
		if err != nil {
			return n
		}
		return v
	case pdb.Spec.MinAvailable != nil:
		v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, n, true)
		if err != nil {
			return n
		}
		return max(n-v, 0)
	}
	return n
}

func rulePDB(r *report, s *set) {
	if len(s.pdbs) != 1 || len(s.hpas) != 1 {
		r.add("%d PDBs and %d HPAs; want one each", len(s.pdbs), len(s.hpas))
		return
	}
	pdb, hpa := s.pdbs[0], s.hpas[0]
	w := s.workloads[0]
	sel, err := metaSelector(pdb.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(w.labels)) {
		r.add("PDB %s does not select the Deployment's pods: %v", pdb.Name, err)
	}
	lo := 1
	if hpa.Spec.MinReplicas != nil {
		lo = int(*hpa.Spec.MinReplicas)
	}
	for _, n := range []int{lo, int(hpa.Spec.MaxReplicas)} {
		got := allowedDisruptions(pdb, n)
		if got < 1 {
			r.add("PDB %s: with %d replicas no pod may go: node drains block", pdb.Name, n)
		}
		if limit := int(math.Ceil(float64(n) / 4)); got > limit {
			r.add("PDB %s: with %d replicas %d may go at once; want at most %d (a quarter)", pdb.Name, n, got, limit)
		}
	}
}

func cpuTarget(hpa *autoscalingv2.HorizontalPodAutoscaler) *int32 {
	for _, m := range hpa.Spec.Metrics {
		if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == corev1.ResourceCPU &&
			m.Resource.Target.Type == autoscalingv2.UtilizationMetricType {
			return m.Resource.Target.AverageUtilization
		}
	}
	return nil
}

func ruleHPA(r *report, s *set) {
	if len(s.hpas) != 1 {
		r.add("%d HPAs; want one", len(s.hpas))
		return
	}
	hpa, d := s.hpas[0], s.deployments[0]
	ref := hpa.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || ref.Name != d.Name {
		r.add("HPA %s scales %s %s; want Deployment %s", hpa.Name, ref.APIVersion, ref.Kind, ref.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
		r.add("HPA %s: minReplicas below 2 leaves a single replica", hpa.Name)
	}
	target := cpuTarget(hpa)
	if target == nil {
		r.add("HPA %s has no CPU utilization target", hpa.Name)
		return
	}
	res := d.Spec.Template.Spec.Containers[0].Resources
	req, limit := res.Requests[corev1.ResourceCPU], res.Limits[corev1.ResourceCPU]
	if req.IsZero() || limit.IsZero() {
		r.add("Deployment %s: CPU request and limit are required (utilization is a share of the request; Go sizes GOMAXPROCS from the limit)", d.Name)
		return
	}
	// Utilization is measured against the request: the HPA scales out
	// when pods use target% of their request on average.
	at := float64(*target) / 100 * req.AsApproximateFloat64()
	share := at / limit.AsApproximateFloat64()
	if share < 0.5 || share > 0.9 {
		r.add("HPA %s scales out at %d%% of a %s request = %.0f%% of the %s limit; want 50%% to 90%% of what a pod may use",
			hpa.Name, *target, req.String(), share*100, limit.String())
	}
}

func ruleNoReplicasWithHPA(r *report, s *set) {
	for _, d := range s.deployments {
		if d.Spec.Replicas != nil && len(s.hpas) > 0 {
			r.add("Deployment %s sets replicas: %d while an HPA scales it; every kubectl apply would reset the count", d.Name, *d.Spec.Replicas)
		}
	}
}

func ruleGracePeriod(r *report, s *set) {
	for _, w := range s.workloads {
		if w.knative {
			continue // Knative drains through its queue-proxy
		}
		c := w.container()
		var sleep int64
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			sleep = c.Lifecycle.PreStop.Sleep.Seconds
		}
		shutdown := 15 * time.Second
		if e, ok := w.env()["REGISTRAR_SHUTDOWN_TIMEOUT"]; ok {
			d, err := time.ParseDuration(e.Value)
			if err != nil {
				r.add("%s: REGISTRAR_SHUTDOWN_TIMEOUT: %v", w, err)
				continue
			}
			shutdown = d
		}
		grace := int64(30)
		if w.pod.TerminationGracePeriodSeconds != nil {
			grace = *w.pod.TerminationGracePeriodSeconds
		}
		if need := sleep + int64(math.Ceil(shutdown.Seconds())); grace <= need {
			r.add("%s: terminationGracePeriodSeconds %d; preStop %ds + shutdown %s need more", w, grace, sleep, shutdown)
		}
	}
}

func ruleService(r *report, s *set) {
	if len(s.services) != 1 {
		r.add("%d Services; want one", len(s.services))
		return
	}
	svc, w := s.services[0], s.workloads[0]
	c := w.container()
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(w.labels)) || len(svc.Spec.Selector) == 0 {
		r.add("Service %s selector %v does not select the Deployment's pods", svc.Name, svc.Spec.Selector)
	}
	if svc.Spec.Type != "" && svc.Spec.Type != corev1.ServiceTypeClusterIP {
		r.add("Service %s is %s; expose it through an ingress that terminates TLS", svc.Name, svc.Spec.Type)
	}
	for _, p := range svc.Spec.Ports {
		tp := p.TargetPort
		var cp int32
		if tp.Type == intstr.String {
			cp = containerPort(c, tp.StrVal)
			if cp == 0 {
				r.add("Service %s port %s targets %q, which no container port is named", svc.Name, p.Name, tp.StrVal)
			}
		} else {
			cp = tp.IntVal
		}
		if cp == containerPort(c, "metrics") || tp.StrVal == "metrics" {
			r.add("Service %s exposes the metrics port", svc.Name)
		}
	}
}

func ruleNoSecretApplied(r *report, s *set) {
	for _, d := range s.byDir["docs/kubernetes"] {
		switch d.Object.(type) {
		case *corev1.Secret:
			r.add("%s: a Secret in docs/kubernetes is applied by `kubectl apply -f docs/kubernetes/` and overwrites the one `kubectl create secret generic registrar-keys --from-file=keys/` made", d)
		case *KnativeService:
			r.add("%s: a Knative Service in docs/kubernetes is applied with the Deployment", d)
		}
	}
}

func ruleKnativeFields(r *report, s *set) {
	for _, d := range s.docs {
		ks, ok := d.Object.(*KnativeService)
		if !ok {
			continue
		}
		p := &ks.Spec.Template.Spec.PodSpec
		// Fields Knative Serving's webhook refuses (its PodSpec field
		// mask), among those a Deployment here sets.
		refused := map[string]bool{
			"terminationGracePeriodSeconds":      p.TerminationGracePeriodSeconds != nil,
			"topologySpreadConstraints":          len(p.TopologySpreadConstraints) > 0,
			"initContainers":                     len(p.InitContainers) > 0,
			"hostNetwork":                        p.HostNetwork,
			"shareProcessNamespace":              p.ShareProcessNamespace != nil,
			"automountServiceAccountToken: true": p.AutomountServiceAccountToken != nil && *p.AutomountServiceAccountToken,
		}
		for _, c := range p.Containers {
			refused["containers[].lifecycle"] = refused["containers[].lifecycle"] || c.Lifecycle != nil
			refused["more than one container port"] = refused["more than one container port"] || len(c.Ports) > 1
			for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
				if pr != nil && pr.HTTPGet != nil && pr.HTTPGet.Port.String() != "0" && pr.HTTPGet.Port.IntValue() != int(containerPort(&c, "http1")) {
					refused["a probe on another port"] = true
				}
			}
		}
		for field, set := range refused {
			if set {
				r.add("%s: Knative refuses %s", d, field)
			}
		}
		if len(p.Containers) != 1 {
			r.add("%s: one container", d)
		}
	}
}

// metaSelector converts a label selector; nil matches nothing.
func metaSelector(s *metav1.LabelSelector) (labels.Selector, error) {
	if s == nil {
		return labels.Nothing(), nil
	}
	return metav1.LabelSelectorAsSelector(s)
}
