package terraform.tags

import rego.v1

deny contains msg if {
	rc := input.resource_changes[_]
	rc.change.actions[_] == "create"
	tags := object.get(rc.change.after, "tags_all", {})
	not tags.team
	startswith(rc.type, "aws_")
	msg := sprintf("%s: missing team tag", [rc.address])
}
