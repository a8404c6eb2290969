locals {
  name = "shop-api"
}

resource "aws_ecr_repository" "api" {
  name                 = local.name
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "api" {
  repository = aws_ecr_repository.api.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the last 50 images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_db_subnet_group" "shop" {
  name       = local.name
  subnet_ids = var.private_subnet_ids
}

resource "aws_db_instance" "shop" {
  identifier                   = local.name
  engine                       = "postgres"
  engine_version               = "16.4"
  instance_class               = var.db_instance_class
  allocated_storage            = 200
  storage_encrypted            = true
  multi_az                     = true
  db_subnet_group_name         = aws_db_subnet_group.shop.name
  username                     = "shop"
  manage_master_user_password  = true
  backup_retention_period      = 14
  deletion_protection          = true
  performance_insights_enabled = true
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${local.name}-final"
}

resource "aws_elasticache_replication_group" "cart" {
  replication_group_id       = "${local.name}-cart"
  description                = "cart sessions for shop-api"
  engine                     = "redis"
  node_type                  = "cache.r7g.large"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/eks/shop-api"
  retention_in_days = 30
}

resource "aws_iam_role" "api" {
  name = "${local.name}-irsa"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::498765432109:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/5C1F00D2E9A4" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "oidc.eks.eu-central-1.amazonaws.com/id/5C1F00D2E9A4:sub" = "system:serviceaccount:shop:shop-api" } }
    }]
  })
}
