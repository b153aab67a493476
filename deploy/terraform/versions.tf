terraform {
  # 1.9: validations that refer to other variables; 1.6: `terraform test` with mock providers.
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }

  # Remote state in S3 with native locking (no DynamoDB table needed since Terraform 1.10).
  # The settings live in a file kept out of the repository; see backend.hcl.example and
  # docs/OPERATIONS.md ("Terraform state"):
  #   terraform init -backend-config=backend.hcl
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}
