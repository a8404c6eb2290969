provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["601234567890"]

  assume_role {
    role_arn     = "arn:aws:iam::601234567890:role/terraform-apply"
    session_name = "platform-core-prod-use1"
  }

  default_tags {
    tags = { env = "prod", team = "platform", managed-by = "terraform", repo = "acme/platform-core" }
  }
}
