provider "aws" {
  region              = "eu-central-1"
  allowed_account_ids = ["601234567890"]

  assume_role {
    role_arn     = "arn:aws:iam::601234567890:role/terraform-apply"
    session_name = "platform-core-prod-global"
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  assume_role {
    role_arn     = "arn:aws:iam::601234567890:role/terraform-apply"
    session_name = "platform-core-prod-global-use1"
  }
}

# Organization management account: SCPs
provider "aws" {
  alias               = "org"
  region              = "eu-central-1"
  allowed_account_ids = ["700000000001"]

  assume_role {
    role_arn = "arn:aws:iam::700000000001:role/platform-org-admin"
  }
}

provider "github" {
  owner = "acme"
}
