# Checked against `terraform show -json tfplan` by conftest in CI.
package terraform.s3

import rego.v1

deny contains msg if {
	rc := input.resource_changes[_]
	rc.type == "aws_s3_bucket_public_access_block"
	rc.change.after.block_public_acls == false
	msg := sprintf("%s: public ACLs must stay blocked", [rc.address])
}
