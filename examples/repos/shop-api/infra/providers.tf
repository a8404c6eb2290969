provider "aws" {
  region              = "eu-central-1"
  allowed_account_ids = ["498765432109"]

  default_tags {
    tags = {
      service    = "shop-api"
      team       = "shop"
      managed-by = "terraform"
      repo       = "acme/shop-api"
    }
  }
}

provider "github" {
  owner = "acme"
}
