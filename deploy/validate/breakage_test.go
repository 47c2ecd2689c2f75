package validate

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func ptr[T any](v T) *T { return &v }

// deployment and knative return the pod specs of a loaded set.
func (s *set) deployment() *corev1.PodSpec { return &s.deployments[0].Spec.Template.Spec }

func (s *set) knative() *corev1.PodSpec {
	for _, w := range s.workloads {
		if w.knative {
			return w.pod
		}
	}
	return nil
}

func setEnv(p *corev1.PodSpec, name, value string) {
	c := &p.Containers[0]
	for i := range c.Env {
		if c.Env[i].Name == name {
			c.Env[i].Value = value
			return
		}
	}
	c.Env = append(c.Env, corev1.EnvVar{Name: name, Value: value})
}

func keysVolume(p *corev1.PodSpec) *corev1.Volume {
	for i := range p.Volumes {
		if p.Volumes[i].Secret != nil {
			return &p.Volumes[i]
		}
	}
	return nil
}

// TestRulesCatchBreakage: each rule fails on the manifests as they are,
// changed in the one way the rule is about (most of them the way the
// manifests were before the rule existed), so that a passing
// TestManifestRules means something.
func TestRulesCatchBreakage(t *testing.T) {
	for _, c := range []struct {
		rule, name string
		breakIt    func(s *set)
	}{
		{"service links are off", "Deployment without enableServiceLinks", func(s *set) { s.deployment().EnableServiceLinks = nil }},
		{"service links are off", "Knative Service with service links", func(s *set) { s.knative().EnableServiceLinks = ptr(true) }},
		{"no service account token is mounted", "token mounted", func(s *set) { s.deployment().AutomountServiceAccountToken = nil }},
		{"readiness probe rides out a slow answer", "failureThreshold 1, default 1s timeout", func(s *set) {
			p := s.deployment().Containers[0].ReadinessProbe
			p.FailureThreshold, p.TimeoutSeconds = 1, 0
		}},
		{"readiness probe rides out a slow answer", "probe of /healthz", func(s *set) { s.deployment().Containers[0].ReadinessProbe.HTTPGet.Path = "/healthz" }},
		{"liveness probe restarts only a dead process", "default 1s timeout", func(s *set) { s.deployment().Containers[0].LivenessProbe.TimeoutSeconds = 0 }},
		{"liveness probe restarts only a dead process", "restart after 10s", func(s *set) { s.deployment().Containers[0].LivenessProbe.FailureThreshold = 1 }},
		{"GOMAXPROCS is left to the Go runtime", "GOMAXPROCS from the limit", func(s *set) { setEnv(s.deployment(), "GOMAXPROCS", "1") }},
		{"every REGISTRAR variable is a documented one", "a misspelt variable", func(s *set) { setEnv(s.knative(), "REGISTRAR_ISSUR", "x") }},
		{"listen addresses match the declared ports", "metrics on an undeclared port", func(s *set) { setEnv(s.deployment(), "REGISTRAR_METRICS_ADDR", ":9091") }},
		{"listen addresses match the declared ports", "REGISTRAR_ADDR under Knative", func(s *set) { setEnv(s.knative(), "REGISTRAR_ADDR", ":8080") }},
		{"runs as non-root with a read-only root filesystem and no privileges", "writable root filesystem", func(s *set) {
			s.deployment().Containers[0].SecurityContext.ReadOnlyRootFilesystem = ptr(false)
		}},
		{"runs as non-root with a read-only root filesystem and no privileges", "runAsNonRoot unset", func(s *set) { s.knative().SecurityContext.RunAsNonRoot = nil }},
		{"keys Secret is 0440 for fsGroup and mounted read-only", "Secret default mode 0644", func(s *set) { keysVolume(s.deployment()).Secret.DefaultMode = nil }},
		{"keys Secret is 0440 for fsGroup and mounted read-only", "no fsGroup", func(s *set) { s.knative().SecurityContext.FSGroup = nil }},
		{"keys Secret is 0440 for fsGroup and mounted read-only", "writable mount", func(s *set) { s.deployment().Containers[0].VolumeMounts[0].ReadOnly = false }},
		{"trusted issuers file comes from the ConfigMap", "file name not in the ConfigMap", func(s *set) {
			setEnv(s.deployment(), "REGISTRAR_TRUSTED_ISSUERS_FILE", "/trust/issuers.json")
		}},
		{"replicas spread over zones and nodes", "no spread", func(s *set) { s.deployment().TopologySpreadConstraints = nil }},
		{"replicas spread over zones and nodes", "zone spread blocks scheduling", func(s *set) {
			s.deployment().TopologySpreadConstraints[0].WhenUnsatisfiable = corev1.DoNotSchedule
		}},
		{"PDB lets one replica go at a time", "minAvailable 2", func(s *set) {
			s.pdbs[0].Spec = policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromInt32(2)), Selector: s.pdbs[0].Spec.Selector}
		}},
		{"PDB lets one replica go at a time", "maxUnavailable 0 blocks drains", func(s *set) { s.pdbs[0].Spec.MaxUnavailable = ptr(intstr.FromInt32(0)) }},
		{"HPA target is a fair share of what a pod may use", "60% of a 250m request under a 1 CPU limit", func(s *set) {
			s.hpas[0].Spec.Metrics[0].Resource.Target.AverageUtilization = ptr(int32(60))
			s.deployment().Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("250m")
		}},
		{"the HPA alone sets the replica count", "replicas: 3", func(s *set) { s.deployments[0].Spec.Replicas = ptr(int32(3)) }},
		{"grace period covers preStop and the shutdown timeout", "15s grace", func(s *set) { s.deployment().TerminationGracePeriodSeconds = ptr(int64(15)) }},
		{"Service exposes the API only", "metrics port in the Service", func(s *set) {
			s.services[0].Spec.Ports = append(s.services[0].Spec.Ports, corev1.ServicePort{Name: "metrics", Port: 9090, TargetPort: intstr.FromString("metrics")})
		}},
		{"kubectl apply of docs/kubernetes creates no keys Secret", "secret.yaml with empty stringData", func(s *set) {
			s.byDir["docs/kubernetes"] = append(s.byDir["docs/kubernetes"], Document{File: "secret.yaml", Kind: "Secret", Name: "registrar-keys", Object: &corev1.Secret{}})
		}},
		{"Knative Service uses only fields Knative accepts", "preStop hook", func(s *set) {
			s.knative().Containers[0].Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 5}}}
		}},
		{"Knative Service uses only fields Knative accepts", "metrics port", func(s *set) {
			s.knative().Containers[0].Ports = append(s.knative().Containers[0].Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: 9090})
		}},
	} {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			var check func(*report, *set)
			for _, r := range rules {
				if r.name == c.rule {
					check = r.check
				}
			}
			if check == nil {
				t.Fatalf("no rule %q", c.rule)
			}
			s := load(t)
			var before report
			check(&before, s)
			if len(before.problems) > 0 {
				t.Fatalf("the rule fails before the change: %v", before.problems)
			}
			c.breakIt(s)
			var after report
			check(&after, s)
			if len(after.problems) == 0 {
				t.Error("the rule still passes")
			}
			t.Log(after.problems)
		})
	}
}
