# Inputs that must be refused before anything is created.

mock_provider "aws" {
  # No credentials, no network: shared mock values live in tests/mocks/aws.tfmock.hcl.
  source = "./tests/mocks"
}

variables {
  environment     = "test"
  domain_name     = "pmo.example.com"
  route53_zone_id = "Z0000000000TEST"
}

run "ssh_open_to_the_internet_is_refused" {
  command = plan

  variables {
    ssh_ingress_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.ssh_ingress_cidrs]
}

run "empty_cors_origin_list_is_refused" {
  command = plan

  variables {
    attachments_cors_allowed_origins = []
  }

  expect_failures = [var.attachments_cors_allowed_origins]
}

run "backup_retention_below_the_30_day_minimum_is_refused" {
  command = plan

  variables {
    backup_retention_days = 7
  }

  expect_failures = [var.backup_retention_days]
}

run "ssh_from_a_range_wider_than_16_is_refused" {
  command = plan

  variables {
    ssh_ingress_cidrs = ["10.0.0.0/8"]
  }

  expect_failures = [var.ssh_ingress_cidrs]
}

# Several more in one plan (cheaper): the run passes only if every listed variable fails.
run "other_bad_inputs_are_refused" {
  command = plan

  variables {
    ssh_ingress_cidrs                = ["::/0"]                   # SSH open to the IPv6 internet
    attachments_cors_allowed_origins = ["*"]                      # wildcard CORS
    db_backup_retention_days         = 1                          # RDS point-in-time window below 7 days
    enable_autoscaling               = true                       # autoscaling ...
    enable_rds                       = false                      # ... without an external database
    route53_zone_id                  = null                       # load balancer ...
    certificate_arn                  = null                       # ... without a certificate
    domain_name                      = "https://pmo.example.com/" # a URL, not a host name
  }

  expect_failures = [
    var.ssh_ingress_cidrs,
    var.attachments_cors_allowed_origins,
    var.db_backup_retention_days,
    var.enable_autoscaling,
    var.certificate_arn,
    var.domain_name,
  ]
}
