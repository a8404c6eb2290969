# Warm standby for the edge gateway (failover target of the Route 53 health check).
module "vpc" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//vpc?ref=v3.2.0"

  name       = "prod-use1"
  cidr       = "10.41.0.0/16"
  azs        = ["us-east-1a", "us-east-1b", "us-east-1c"]
  flow_logs  = true
  nat_per_az = false
}

module "eks" {
  source = "git::https://github.com/acme/terraform-aws-modules.git//eks-cluster?ref=v4.6.2"

  name               = "prod-use1"
  kubernetes_version = "1.31"
  vpc_id             = module.vpc.vpc_id
  subnet_ids         = module.vpc.private_subnet_ids
  node_groups = {
    general = { instance_types = ["m7g.large"], min = 3, max = 12 }
  }
}

resource "aws_route53_health_check" "edge_euc1" {
  fqdn              = "edge.prod-euc1.acme.example"
  port              = 443
  type              = "HTTPS"
  resource_path     = "/healthz"
  failure_threshold = 3
  request_interval  = 10
}
