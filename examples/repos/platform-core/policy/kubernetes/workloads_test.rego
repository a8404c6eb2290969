package kubernetes.workloads_test

import rego.v1

import data.kubernetes.workloads

test_missing_probe_denied if {
	count(workloads.deny) == 1 with input as {
		"kind": "Rollout",
		"metadata": {"name": "x"},
		"spec": {"template": {"spec": {"containers": [{"name": "app"}]}}},
	}
}
