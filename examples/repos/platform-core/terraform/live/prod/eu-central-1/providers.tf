provider "aws" {
  region              = "eu-central-1"
  allowed_account_ids = ["601234567890"]

  assume_role {
    role_arn     = "arn:aws:iam::601234567890:role/terraform-apply"
    session_name = "platform-core-prod-euc1"
  }

  default_tags {
    tags = { env = "prod", team = "platform", managed-by = "terraform", repo = "acme/platform-core" }
  }
}

# CloudFront certificates and WAF must live in us-east-1
provider "aws" {
  alias               = "us_east_1"
  region              = "us-east-1"
  allowed_account_ids = ["601234567890"]

  assume_role {
    role_arn     = "arn:aws:iam::601234567890:role/terraform-apply"
    session_name = "platform-core-prod-global"
  }
}
