# Deleting stateful resources needs the risk:high label and two approvals (see
# docs/change-management.md); CI fails here and the risk-gate job decides.
package terraform.destroy

import rego.v1

stateful := {"aws_db_instance", "aws_rds_cluster", "aws_s3_bucket", "aws_dynamodb_table", "aws_eks_cluster"}

warn contains msg if {
	rc := input.resource_changes[_]
	stateful[rc.type]
	rc.change.actions[_] == "delete"
	msg := sprintf("%s will be DELETED - needs risk:high review", [rc.address])
}
