# AWS Config records every resource in the production account and evaluates the rules below
# continuously; non-compliant S3 public access is remediated automatically.

resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = "arn:aws:iam::601234567890:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"

  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}

resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = "acme-config-history-601234567890"
  depends_on     = [aws_config_configuration_recorder.main]
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = aws_config_configuration_recorder.main.name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.main]
}

locals {
  managed_rules = {
    s3-bucket-public-read-prohibited   = "S3_BUCKET_PUBLIC_READ_PROHIBITED"
    s3-bucket-level-public-access      = "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED"
    encrypted-volumes                  = "ENCRYPTED_VOLUMES"
    rds-storage-encrypted              = "RDS_STORAGE_ENCRYPTED"
    rds-multi-az-support               = "RDS_MULTI_AZ_SUPPORT"
    cloudtrail-enabled                 = "CLOUD_TRAIL_ENABLED"
    iam-root-access-key-check          = "IAM_ROOT_ACCESS_KEY_CHECK"
    required-tags                      = "REQUIRED_TAGS"
    ecr-private-image-scanning-enabled = "ECR_PRIVATE_IMAGE_SCANNING_ENABLED"
  }
}

resource "aws_config_config_rule" "managed" {
  for_each = local.managed_rules
  name     = each.key

  source {
    owner             = "AWS"
    source_identifier = each.value
  }

  input_parameters = each.value == "REQUIRED_TAGS" ? jsonencode({ tag1Key = "team", tag2Key = "managed-by" }) : null
  depends_on       = [aws_config_configuration_recorder.main]
}

resource "aws_config_remediation_configuration" "s3_public_access" {
  config_rule_name = aws_config_config_rule.managed["s3-bucket-level-public-access"].name
  target_type      = "SSM_DOCUMENT"
  target_id        = "AWS-ConfigureS3BucketPublicAccessBlock"
  automatic        = true

  parameter {
    name         = "AutomationAssumeRole"
    static_value = "arn:aws:iam::601234567890:role/config-remediation"
  }
  parameter {
    name           = "BucketName"
    resource_value = "RESOURCE_ID"
  }

  maximum_automatic_attempts = 3
  retry_attempt_seconds      = 60
}
