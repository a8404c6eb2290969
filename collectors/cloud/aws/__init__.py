"""AWS account collector: read-only boto3 calls (see docs/aws.md and docs/aws-policy.json)."""
