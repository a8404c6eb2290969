# Executable runbooks: started from the on-call runbooks (docs/runbooks/ledger/db-failover.md)
# with `aws ssm start-automation-execution`, allowed by the SCP for on-call roles.
resource "aws_ssm_document" "ledger_db_failover" {
  name            = "Ledger-RdsFailover"
  document_type   = "Automation"
  document_format = "YAML"
  content         = file("${path.module}/../../../automation/ledger-rds-failover.yaml")
}

resource "aws_ssm_document" "drain_eks_node" {
  name            = "Platform-DrainEksNode"
  document_type   = "Automation"
  document_format = "YAML"
  content         = file("${path.module}/../../../automation/drain-eks-node.yaml")
}

resource "aws_cloudwatch_event_rule" "ops_debt_review_reminder" {
  name                = "ops-debt-quarterly-review"
  description         = "Reminder: quarterly review of ops-debt-register.yml"
  schedule_expression = "cron(0 8 ? 1,4,7,10 2#4 *)"
}
