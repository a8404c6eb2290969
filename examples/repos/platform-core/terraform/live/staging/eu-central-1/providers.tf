provider "aws" {
  region              = "eu-central-1"
  allowed_account_ids = ["602345678901"]

  assume_role {
    role_arn     = "arn:aws:iam::602345678901:role/terraform-apply"
    session_name = "platform-core-staging-euc1"
  }

  default_tags {
    tags = { env = "staging", team = "platform", managed-by = "terraform", repo = "acme/platform-core" }
  }
}
