package kubernetes.workloads

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "Rollout"}

deny contains msg if {
	workload_kinds[input.kind]
	c := input.spec.template.spec.containers[_]
	c.name != "flagd"
	not c.readinessProbe
	msg := sprintf("%s/%s: container %s has no readinessProbe", [input.kind, input.metadata.name, c.name])
}

deny contains msg if {
	input.kind == "Deployment"
	input.metadata.labels["acme.io/tier"] == "1"
	msg := sprintf("%s: tier-1 services must use an Argo Rollout, not a Deployment", [input.metadata.name])
}
