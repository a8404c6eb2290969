variable "db_instance_class" {
  type    = string
  default = "db.r6g.large"
}

variable "vpc_id" {
  type        = string
  description = "The shared shop VPC (owned by the platform team)"
  default     = "vpc-0a1b2c3d4e5f60718"
}

variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88", "subnet-0cc99dd00ee11ff22"]
}
