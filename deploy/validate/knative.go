package validate

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KnativeService is serving.knative.dev/v1 Service, written out here
// because knative.dev/serving's Go module does not build from the module
// proxy with this toolchain (a knative.dev/pkg version it requires is not
// served). It has the fields of Knative Serving's v1 API for a Service with
// an inline template: RevisionSpec is a core/v1 PodSpec plus four fields.
// Knative refuses some PodSpec fields a Deployment accepts; the rules test
// checks the ones these manifests could plausibly carry.
type KnativeService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              KnativeServiceSpec `json:"spec"`
}

// KnativeServiceSpec is ServiceSpec: ConfigurationSpec and RouteSpec inline.
type KnativeServiceSpec struct {
	Template KnativeRevisionTemplate `json:"template"`
	Traffic  []KnativeTrafficTarget  `json:"traffic,omitempty"`
}

// KnativeRevisionTemplate is RevisionTemplateSpec.
type KnativeRevisionTemplate struct {
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              KnativeRevisionSpec `json:"spec"`
}

// KnativeRevisionSpec is RevisionSpec.
type KnativeRevisionSpec struct {
	corev1.PodSpec              `json:",inline"`
	ContainerConcurrency        *int64 `json:"containerConcurrency,omitempty"`
	TimeoutSeconds              *int64 `json:"timeoutSeconds,omitempty"`
	ResponseStartTimeoutSeconds *int64 `json:"responseStartTimeoutSeconds,omitempty"`
	IdleTimeoutSeconds          *int64 `json:"idleTimeoutSeconds,omitempty"`
}

// KnativeTrafficTarget is TrafficTarget.
type KnativeTrafficTarget struct {
	Tag               string `json:"tag,omitempty"`
	RevisionName      string `json:"revisionName,omitempty"`
	ConfigurationName string `json:"configurationName,omitempty"`
	LatestRevision    *bool  `json:"latestRevision,omitempty"`
	Percent           *int64 `json:"percent,omitempty"`
	URL               string `json:"url,omitempty"`
}
