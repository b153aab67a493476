# Values the mocked AWS provider returns where random strings would not do (terraform test).

# Documents built with aws_iam_policy_document (assume-role, flow logs, bucket policies) come back
# empty here. The instance role's and the deployer's policies are built with jsonencode() in
# modules/compute instead, so tests/iam.tftest.hcl checks their real content.
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_data "aws_availability_zones" {
  defaults = {
    names = ["us-east-1a", "us-east-1b", "us-east-1c"]
  }
}

mock_data "aws_region" {
  defaults = {
    name = "us-east-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "000000000000"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

mock_data "aws_elb_service_account" {
  defaults = {
    arn = "arn:aws:iam::000000000000:root"
  }
}
