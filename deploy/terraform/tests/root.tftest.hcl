# The whole configuration with its defaults, and each switch, planned against a mocked AWS
# provider (no credentials, no network).

mock_provider "aws" {
  # No credentials, no network: shared mock values live in tests/mocks/aws.tfmock.hcl.
  source = "./tests/mocks"
}

variables {
  environment     = "test"
  domain_name     = "pmo.example.com"
  route53_zone_id = "Z0000000000TEST"
}

run "default_setup" {
  command = plan

  assert {
    condition = alltrue([
      for k, r in output.security_group_ingress_rules :
      !contains(["0.0.0.0/0", "::/0"], coalesce(r.cidr, "-")) ||
      !((r.from_port <= 22 && r.to_port >= 22) || (r.from_port <= 4000 && r.to_port >= 4000))
    ])
    error_message = "A security group opens port 22 or 4000 to the internet."
  }

  assert {
    condition     = output.service_environment["PMO_LISTEN"] == "0.0.0.0:4000" && output.service_environment["PMO_ENVIRONMENT"] == "production"
    error_message = "Behind the load balancer pmo listens on the app port in production mode."
  }

  assert {
    condition     = output.service_environment["PMO_STORAGE__BACKEND"] == "s3" && output.service_environment["PMO_PUBLIC_URL"] == "https://pmo.example.com"
    error_message = "The service must use the attachments bucket and know its public URL."
  }

  assert {
    condition     = !anytrue([for k, v in output.service_environment : can(regex("(?i)(password|secret|token)", k))])
    error_message = "Secrets must not be part of the static (user data) environment."
  }

  assert {
    condition     = output.ssm_prefix == "/pmo/test"
    error_message = "Secrets live under /<project>/<environment>."
  }

  assert {
    condition     = length(module.database) == 1 && length(module.load_balancer) == 1 && length(module.monitoring) == 1 && length(module.cache) == 0
    error_message = "Default setup: RDS, load balancer and alarms on; Redis off."
  }

  assert {
    condition     = module.database[0].deletion_protection && !module.database[0].multi_az && module.database[0].backup_retention_days == 14
    error_message = "RDS: deletion protection on, single-AZ, 14 days of backups by default."
  }

  assert {
    condition     = module.load_balancer[0].http_listener_redirects_to_https
    error_message = "Port 80 must redirect to HTTPS."
  }

  assert {
    condition     = module.compute.autoscaling_group_name == null
    error_message = "The default setup runs one instance, not an autoscaling group."
  }

  # Behind the load balancer pmo believes X-Forwarded-For only from the VPC's range (the ALB's
  # subnets), as a JSON list like PMO_HTTP__CORS_ALLOWED_ORIGINS.
  assert {
    condition     = try(output.service_environment["PMO_HTTP__TRUSTED_PROXIES"], null) == "[\"10.40.0.0/16\"]"
    error_message = "With the load balancer, PMO_HTTP__TRUSTED_PROXIES must be the VPC CIDR as a JSON list: [\"10.40.0.0/16\"]."
  }

  # pg_dump refuses a newer server: the instances install the RDS engine's client version.
  assert {
    condition     = module.compute.postgresql_client_major_version == "16"
    error_message = "With RDS 16 (the default) the instances must install postgresql-client-16."
  }
}

run "scale_out_setup" {
  command = plan

  variables {
    enable_autoscaling     = true
    enable_redis           = true
    db_multi_az            = true
    db_enable_read_replica = true
    nat_gateway_mode       = "per_az"
  }

  assert {
    condition     = output.instance_id == null
    error_message = "With autoscaling there is no single instance."
  }

  assert {
    condition     = length(module.cache) == 1 && module.database[0].multi_az
    error_message = "Scale-out: Redis and Multi-AZ requested."
  }
}

run "pg_dump_follows_the_rds_engine_version" {
  command = plan

  variables {
    db_engine_version = "17"
    vpc_cidr          = "10.50.0.0/18"
  }

  assert {
    condition     = module.compute.postgresql_client_major_version == "17"
    error_message = "With RDS 17 the instances must install postgresql-client-17 (pg_dump refuses a newer server)."
  }

  assert {
    condition     = try(output.service_environment["PMO_HTTP__TRUSTED_PROXIES"], null) == "[\"10.50.0.0/18\"]"
    error_message = "PMO_HTTP__TRUSTED_PROXIES must follow vpc_cidr."
  }
}

run "without_load_balancer_pmo_stays_on_loopback" {
  command = plan

  variables {
    enable_alb      = false
    route53_zone_id = null
  }

  assert {
    condition     = output.service_environment["PMO_LISTEN"] == "127.0.0.1:4000"
    error_message = "Without a load balancer pmo must only listen on loopback."
  }

  assert {
    condition     = length(output.security_group_ingress_rules) == 2
    error_message = "Without a load balancer only the database and cache admit the app instances."
  }

  assert {
    condition     = !contains(keys(output.service_environment), "PMO_HTTP__TRUSTED_PROXIES")
    error_message = "Without a load balancer no proxy is trusted: PMO_HTTP__TRUSTED_PROXIES must be unset."
  }
}

run "single_box_without_rds" {
  command = plan

  variables {
    enable_rds       = false
    nat_gateway_mode = "none"
  }

  assert {
    condition     = length(module.database) == 0 && output.database_endpoint == null
    error_message = "enable_rds = false creates no database."
  }

  assert {
    condition     = module.compute.postgresql_client_major_version == null
    error_message = "Without RDS the instances keep the distribution's PostgreSQL packages (pmo's own cluster)."
  }
}
