# Inputs of the PMO platform on AWS. Only `environment` and `domain_name` are required (plus
# certificate_arn or route53_zone_id while the load balancer is on); every other default is the
# documented "default setup" of docs/OPERATIONS.md. terraform.tfvars.example shows them all.

# --- identity -----------------------------------------------------------------------------------

variable "project" {
  description = "Short project name, the first part of every resource name and of the SSM path /<project>/<environment>/."
  type        = string
  default     = "pmo"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.project))
    error_message = "project must be 2-12 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Name of this deployment, e.g. production or staging. Part of every resource name; several environments can share an account."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.environment))
    error_message = "environment must be 2-12 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region to deploy to (the seed: us-east-1)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as us-east-1."
  }
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

# --- domain and TLS -----------------------------------------------------------------------------

variable "domain_name" {
  description = "Host name people use to reach the platform, e.g. pmo.example.com. Used for the certificate, PMO_PUBLIC_URL and the attachments bucket's CORS origin."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower-case DNS name such as pmo.example.com (no scheme, no path)."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone that holds domain_name. When set, the certificate is requested and validated in DNS and an alias record points domain_name at the load balancer."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ARN of an issued ACM certificate for domain_name (in aws_region), for DNS hosted outside Route 53. Required with the load balancer when route53_zone_id is not set."
  type        = string
  default     = null

  validation {
    condition     = !var.enable_alb || var.certificate_arn != null || var.route53_zone_id != null
    error_message = "The load balancer serves HTTPS only: set certificate_arn (an issued ACM certificate) or route53_zone_id (to request and validate one in DNS)."
  }

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:...)."
  }
}

# --- network ------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "IPv4 range of the VPC (/16 to /20)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones used (2 or 3)."
  type        = number
  default     = 2
}

variable "availability_zones" {
  description = "Pin the zones, e.g. [\"us-east-1a\", \"us-east-1b\"] (null: the first az_count zones of the region)."
  type        = list(string)
  default     = null
}

variable "nat_gateway_mode" {
  description = "Outbound internet for the instances: single (one NAT gateway), per_az (one per zone) or none (instances get a public IPv4 address instead; still no inbound access from the internet). See the cost table in docs/OPERATIONS.md."
  type        = string
  default     = "single"
}

variable "ssh_ingress_cidrs" {
  description = "SSH stays closed: administrators use Systems Manager Session Manager (aws ssm start-session). Only if SSH is unavoidable, list narrow admin ranges; 0.0.0.0/0, ::/0 and anything wider than /16 (IPv4) or /48 (IPv6) are refused."
  type        = list(string)
  default     = []

  validation {
    condition     = !anytrue([for c in var.ssh_ingress_cidrs : contains(["0.0.0.0/0", "::/0", "::0/0"], trimspace(c))])
    error_message = "SSH must never be open to the internet (0.0.0.0/0 or ::/0). Use Session Manager: aws ssm start-session --target <instance-id>."
  }

  validation {
    condition = alltrue([
      for c in var.ssh_ingress_cidrs : can(cidrhost(c, 0)) && (
        strcontains(c, ":") ? tonumber(split("/", c)[1]) >= 48 : tonumber(split("/", c)[1]) >= 16
      )
    ])
    error_message = "Each SSH range must be a valid CIDR no wider than /16 (IPv4) or /48 (IPv6)."
  }
}

variable "alb_ingress_cidrs" {
  description = "Client ranges that may reach the load balancer (80 redirects, 443 serves). Narrow it for an internal-only platform."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "app_port" {
  description = "Port pmo listens on inside the VPC (the seed's API port). Never reachable from the internet: only the load balancer's security group may connect."
  type        = number
  default     = 4000
}

variable "smtp_port" {
  description = "Outbound SMTP port (587 STARTTLS or 465 SMTPS) for mail delivery."
  type        = number
  default     = 587
}

variable "flow_log_traffic_type" {
  description = "VPC flow log records: REJECT, ACCEPT or ALL."
  type        = string
  default     = "REJECT"
}

variable "log_retention_days" {
  description = "Days CloudWatch log groups (VPC flow logs) and the access-log bucket keep their entries."
  type        = number
  default     = 365

  validation {
    condition     = contains([90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention of at least 90 days (90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, …, 3653)."
  }
}

# --- compute ------------------------------------------------------------------------------------

variable "instance_type" {
  description = "EC2 instance type (the seed: t3.medium, 2 vCPU / 4 GiB)."
  type        = string
  default     = "t3.medium"
}

variable "architecture" {
  description = "amd64 or arm64; must match instance_type and the release tarball uploaded by release.sh."
  type        = string
  default     = "amd64"
}

variable "ami_id" {
  description = "AMI to boot; null uses the current Ubuntu LTS image from Canonical's public SSM parameter."
  type        = string
  default     = null
}

variable "ubuntu_release" {
  description = "Ubuntu LTS release (22.04 or 24.04) used when ami_id is null."
  type        = string
  default     = "24.04"
}

variable "root_volume_size_gb" {
  description = "Encrypted gp3 root volume size in GiB (the seed: 30)."
  type        = number
  default     = 30
}

variable "detailed_monitoring" {
  description = "One-minute EC2 metrics for faster alarms and scaling (about 2 USD/month per instance)."
  type        = bool
  default     = true
}

variable "release_version" {
  description = "Release new instances install at boot: \"latest\" (the code bucket's pointer, set by release.sh) or a fixed version."
  type        = string
  default     = "latest"
}

variable "termination_protection" {
  description = "Protect the single instance from accidental termination."
  type        = bool
  default     = true
}

variable "enable_autoscaling" {
  description = "Run an autoscaling group of stateless instances instead of one instance (needs enable_rds; use enable_redis for a shared cache)."
  type        = bool
  default     = false

  validation {
    condition     = !var.enable_autoscaling || var.enable_rds
    error_message = "enable_autoscaling needs enable_rds = true: instances in an autoscaling group are replaceable and cannot hold the database."
  }
}

variable "asg_min_size" {
  description = "Fewest instances in the autoscaling group."
  type        = number
  default     = 2

  validation {
    condition     = var.asg_min_size >= 1
    error_message = "asg_min_size must be at least 1."
  }
}

variable "asg_max_size" {
  description = "Most instances in the autoscaling group."
  type        = number
  default     = 4
}

variable "asg_desired_capacity" {
  description = "Instances the autoscaling group starts with (later managed by the CPU target)."
  type        = number
  default     = 2
}

variable "asg_cpu_target" {
  description = "Average CPU (percent) the autoscaling group's target-tracking policy holds."
  type        = number
  default     = 60

  validation {
    condition     = var.asg_cpu_target >= 20 && var.asg_cpu_target <= 90
    error_message = "asg_cpu_target must be between 20 and 90."
  }
}

# --- load balancer ------------------------------------------------------------------------------

variable "enable_alb" {
  description = "Serve through an Application Load Balancer with TLS (ACM) and an HTTP→HTTPS redirect. Off: nothing is reachable from the internet (use Session Manager port forwarding or your own proxy)."
  type        = bool
  default     = true
}

variable "alb_deletion_protection" {
  description = "Refuse to delete the load balancer."
  type        = bool
  default     = true
}

# --- database -----------------------------------------------------------------------------------

variable "enable_rds" {
  description = "Use RDS PostgreSQL. Off: pmo manages a PostgreSQL cluster on the instance's disk (single instance only; protect it with `pmo backup`)."
  type        = bool
  default     = true
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "db_engine_version" {
  description = "PostgreSQL major version on RDS (14 to 17). The instances install the PostgreSQL client (pg_dump) of the same major version from apt.postgresql.org."
  type        = string
  default     = "16"
}

variable "db_allocated_storage_gb" {
  description = "Initial RDS storage (gp3, GiB)."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gb" {
  description = "RDS storage autoscaling limit in GiB (0 disables it)."
  type        = number
  default     = 100
}

variable "db_multi_az" {
  description = "Standby replica in a second zone with automatic failover (about doubles the database cost)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of RDS automated backups / point-in-time recovery (7-35)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 7 (documented minimum) and 35 (RDS maximum)."
  }
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database."
  type        = bool
  default     = true
}

variable "db_enable_read_replica" {
  description = "Create a read replica and pass it to pmo as PMO_DATABASE_REPLICA_URL."
  type        = bool
  default     = false
}

variable "db_performance_insights" {
  description = "Enable RDS Performance Insights (7 days free)."
  type        = bool
  default     = true
}

variable "db_monitoring_interval" {
  description = "RDS Enhanced Monitoring interval in seconds (0 disables)."
  type        = number
  default     = 60
}

# --- cache --------------------------------------------------------------------------------------

variable "enable_redis" {
  description = "Use ElastiCache Redis as the shared cache (recommended with several instances)."
  type        = bool
  default     = false
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.micro"
}

variable "redis_num_cache_clusters" {
  description = "Redis nodes: 1, or 2-3 for automatic failover."
  type        = number
  default     = 1
}

# --- storage ------------------------------------------------------------------------------------

variable "attachments_cors_allowed_origins" {
  description = "Origins allowed to use presigned URLs on the attachments bucket from a browser. Null: just https://<domain_name>. An empty list is refused (uploads from the web app would fail)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.attachments_cors_allowed_origins == null || length(coalesce(var.attachments_cors_allowed_origins, [])) > 0
    error_message = "attachments_cors_allowed_origins must not be empty: leave it unset (null) for https://<domain_name>, or list the exact origins of the web app."
  }

  validation {
    condition     = alltrue([for o in coalesce(var.attachments_cors_allowed_origins, ["https://ok"]) : o != "*" && !strcontains(o, "*")])
    error_message = "Wildcard CORS origins are refused: list exact origins such as https://pmo.example.com."
  }
}

variable "attachments_ia_days" {
  description = "Days before attachments move to STANDARD_IA (the seed: 90)."
  type        = number
  default     = 90
}

variable "attachments_archive_days" {
  description = "Days before attachments move to the archive class (the seed: 180)."
  type        = number
  default     = 180
}

variable "attachments_archive_storage_class" {
  description = "Archive class for old attachments: GLACIER_IR (default, still downloadable at once), GLACIER or DEEP_ARCHIVE (need a restore before download)."
  type        = string
  default     = "GLACIER_IR"
}

variable "attachments_noncurrent_expiration_days" {
  description = "Days replaced or deleted attachment versions remain recoverable (the seed: 365)."
  type        = number
  default     = 365
}

variable "abort_incomplete_multipart_days" {
  description = "Days before unfinished multipart uploads are aborted (the seed: 7)."
  type        = number
  default     = 7
}

variable "backup_retention_days" {
  description = "Days database backups (`pmo backup`) are kept at least. Minimum 30 by policy: the seed's DR plan keeps 30 days, and a month covers a monthly close and the time it takes to notice silent data corruption. See docs/OPERATIONS.md, \"Backups\"."
  type        = number
  default     = 30

  validation {
    condition     = var.backup_retention_days >= 30
    error_message = "backup_retention_days must be at least 30 days (the documented minimum retention, docs/OPERATIONS.md \"Backups\")."
  }

  validation {
    condition     = var.backup_retention_days <= 3650
    error_message = "backup_retention_days must be at most 3650 days."
  }
}

variable "backups_object_lock" {
  description = "Create the backups bucket with S3 Object Lock (GOVERNANCE, backup_retention_days): nobody without the bypass permission, not even the instance, can destroy a backup early. Only effective when the bucket is created."
  type        = bool
  default     = true
}

variable "enable_legacy_artifacts_bucket" {
  description = "Create the seed's legacy artifacts bucket (deprecated; read-only for the application)."
  type        = bool
  default     = false
}

variable "bucket_names" {
  description = "Exact bucket names per key (attachments, code, backups, logs, artifacts) to adopt existing buckets; others get generated unique names. Do not put account ids in names."
  type        = map(string)
  default     = {}
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete non-empty buckets (throw-away environments only)."
  type        = bool
  default     = false
}

# --- monitoring ---------------------------------------------------------------------------------

variable "enable_alarms" {
  description = "Create CloudWatch alarms and the SNS topic they notify."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (null: subscribe yourself)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address."
  }
}

# --- application --------------------------------------------------------------------------------

variable "mail_from_address" {
  description = "Sender of outgoing mail (PMO_MAIL__FROM_ADDRESS). The SMTP URL is a secret: store it as the SecureString /<project>/<environment>/mail/smtp-url."
  type        = string
  default     = null
}

variable "app_extra_environment" {
  description = "Additional non-secret PMO_* settings, e.g. { PMO_LOG_LEVEL = \"info\" }. Unknown keys stop pmo at start-up, so only use keys from pmo.example.toml."
  type        = map(string)
  default     = {}
}
