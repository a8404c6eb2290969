terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    github = {
      source  = "integrations/github"
      version = "~> 6.4"
    }
  }

  backend "s3" {
    bucket       = "acme-terraform-state-498765432109"
    key          = "shop-api/production.tfstate"
    region       = "eu-central-1"
    encrypt      = true
    use_lockfile = true
  }
}
