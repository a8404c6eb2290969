module "vpc" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//vpc?ref=v3.2.0"

  name       = "staging-euc1"
  cidr       = "10.50.0.0/16"
  azs        = ["eu-central-1a", "eu-central-1b"]
  flow_logs  = false
  nat_per_az = false
}

module "eks" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//eks-cluster?ref=v4.6.2"

  name               = "staging-euc1"
  kubernetes_version = "1.31"
  vpc_id             = module.vpc.vpc_id
  subnet_ids         = module.vpc.private_subnet_ids
  node_groups = {
    general = { instance_types = ["m7g.large"], min = 2, max = 6 }
  }
}

module "ledger_db" {
  source  = "app.terraform.io/acme/rds-postgres/aws"
  version = "2.3.1"

  name                = "ledger-staging"
  engine_version      = "16.4"
  instance_class      = "db.r7g.large"
  multi_az            = false
  read_replicas       = 0
  subnet_ids          = module.vpc.private_subnet_ids
  deletion_protection = false
}
