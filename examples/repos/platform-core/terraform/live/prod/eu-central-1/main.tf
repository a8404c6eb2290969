module "vpc" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//vpc?ref=v3.2.0"

  name       = "prod-euc1"
  cidr       = "10.40.0.0/16"
  azs        = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
  flow_logs  = true
  nat_per_az = true
}

module "eks" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//eks-cluster?ref=v4.6.2"

  name               = "prod-euc1"
  kubernetes_version = "1.31"
  vpc_id             = module.vpc.vpc_id
  subnet_ids         = module.vpc.private_subnet_ids
  node_groups = {
    general = { instance_types = ["m7g.xlarge"], min = 6, max = 30 }
  }
}

module "ledger_db" {
  source  = "app.terraform.io/acme/rds-postgres/aws"
  version = "2.3.1"

  name                = "ledger-prod"
  engine_version      = "16.4"
  instance_class      = "db.r7g.2xlarge"
  multi_az            = true
  read_replicas       = 1
  subnet_ids          = module.vpc.private_subnet_ids
  deletion_protection = true
}

module "edge_cdn" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//cloudfront-api?ref=v1.9.0"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  domain      = "api.acme.example"
  origin_host = "edge.prod-euc1.acme.internal"
}

resource "aws_cloudwatch_log_group" "eks_control_plane" {
  name              = "/aws/eks/prod-euc1/cluster"
  retention_in_days = 90
}

resource "aws_ecr_repository" "service" {
  for_each             = toset(["ledger", "edge-gateway"])
  name                 = each.key
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}
