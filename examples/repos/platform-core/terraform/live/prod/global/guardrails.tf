# Console and CLI writes in production are denied for everyone except the pipeline roles
# and the break-glass role (see docs/change-management.md, "Emergency changes").
resource "aws_organizations_policy" "deny_manual_writes_prod" {
  provider = aws.org
  name     = "deny-manual-writes-prod"
  type     = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyWritesOutsidePipeline"
      Effect    = "Deny"
      NotAction = ["iam:Get*", "iam:List*", "sts:*", "support:*", "ssm:StartAutomationExecution", "ssm:GetAutomationExecution"]
      Resource  = "*"
      Condition = {
        ArnNotLike = {
          "aws:PrincipalArn" = [
            "arn:aws:iam::*:role/terraform-apply",
            "arn:aws:iam::*:role/gha-*",
            "arn:aws:iam::*:role/break-glass",
            "arn:aws:iam::*:role/aws-service-role/*",
          ]
        }
        "ForAnyValue:StringNotLike" = { "aws:CalledVia" = ["cloudformation.amazonaws.com"] }
      }
    }]
  })
}

resource "aws_organizations_policy_attachment" "prod" {
  provider  = aws.org
  policy_id = aws_organizations_policy.deny_manual_writes_prod.id
  target_id = "ou-prod-7h3k2m9x"
}
