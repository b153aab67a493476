variable "name_prefix" {
  description = "Prefix of every resource name (\"<project>-<environment>\"); also the value of the pmo-deployment tag that deploy.sh targets."
  type        = string
}

variable "ssm_prefix" {
  description = "SSM Parameter Store path of this deployment's secrets (e.g. /pmo/production). The instance role may read parameters below it and nothing else."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets for the instances (one instance uses the first)."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the instances."
  type        = string
}

variable "associate_public_ip" {
  description = "Give instances a public IPv4 address (only without a NAT gateway; the security group still admits nothing from the internet)."
  type        = bool
  default     = false
}

variable "instance_type" {
  description = "EC2 instance type (the seed: t3.medium, 2 vCPU / 4 GiB)."
  type        = string
  default     = "t3.medium"
}

variable "architecture" {
  description = "CPU architecture of instance_type and of the release tarball: amd64 (t3, m6i…) or arm64 (Graviton: t4g, m7g…)."
  type        = string
  default     = "amd64"

  validation {
    condition     = contains(["amd64", "arm64"], var.architecture)
    error_message = "architecture must be amd64 or arm64."
  }
}

variable "ami_id" {
  description = "AMI to boot. Null: the current Ubuntu LTS image published by Canonical (read from the public SSM parameter, no account id needed)."
  type        = string
  default     = null
}

variable "ubuntu_release" {
  description = "Ubuntu LTS release used when ami_id is null."
  type        = string
  default     = "24.04"

  validation {
    condition     = contains(["22.04", "24.04"], var.ubuntu_release)
    error_message = "ubuntu_release must be an LTS release: 22.04 or 24.04."
  }
}

variable "root_volume_size_gb" {
  description = "Size of the encrypted gp3 root volume in GiB (the seed: 30). Holds the binary, logs and, without RDS, the database."
  type        = number
  default     = 30

  validation {
    condition     = var.root_volume_size_gb >= 20
    error_message = "root_volume_size_gb must be at least 20."
  }
}

variable "detailed_monitoring" {
  description = "One-minute EC2 metrics (about 2 USD/month per instance); faster alarms and scaling."
  type        = bool
  default     = true
}

variable "enable_autoscaling" {
  description = "Run stateless instances in an autoscaling group instead of one instance. Needs an external database (RDS)."
  type        = bool
  default     = false
}

variable "asg_min_size" {
  description = "Fewest instances in the autoscaling group."
  type        = number
  default     = 2
}

variable "asg_max_size" {
  description = "Most instances in the autoscaling group."
  type        = number
  default     = 4
}

variable "asg_desired_capacity" {
  description = "Instances the autoscaling group starts with."
  type        = number
  default     = 2
}

variable "asg_cpu_target" {
  description = "Average CPU utilisation (percent) the autoscaling group's target-tracking policy holds."
  type        = number
  default     = 60
}

variable "termination_protection" {
  description = "Protect the single instance from termination (it holds the database when RDS is off)."
  type        = bool
  default     = true
}

variable "attach_to_load_balancer" {
  description = "Register the instances with target_group_arn."
  type        = bool
  default     = true
}

variable "target_group_arn" {
  description = "Load balancer target group (when attach_to_load_balancer)."
  type        = string
  default     = null
}

variable "app_port" {
  description = "Port pmo listens on."
  type        = number
  default     = 4000
}

variable "public_url" {
  description = "Address people use to reach the platform (PMO_PUBLIC_URL), e.g. https://pmo.example.com."
  type        = string
}

variable "buckets" {
  description = "Bucket names the platform uses: attachments, code, backups (required) and artifacts (optional)."
  type = object({
    attachments = string
    code        = string
    backups     = string
    artifacts   = optional(string)
  })
}

variable "release_version" {
  description = "Release a new instance installs at first boot: \"latest\" (the code bucket's releases/latest pointer) or a version uploaded by release.sh."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$", var.release_version))
    error_message = "release_version must be \"latest\" or a release version such as 1.4.0 (letters, digits, . _ -)."
  }
}

variable "database" {
  description = "External PostgreSQL (RDS) connection details, or null to let pmo manage a PostgreSQL cluster on the instance's disk. engine_major_version (e.g. \"17\") selects the PostgreSQL client the instances install from apt.postgresql.org: pg_dump (pmo backup) must have the server's major version."
  type = object({
    host                 = string
    port                 = number
    name                 = string
    username             = string
    password_parameter   = string
    replica_host         = optional(string)
    engine_major_version = string
  })
  default = null

  validation {
    condition     = var.database == null || can(regex("^[1-9][0-9]$", var.database.engine_major_version))
    error_message = "database.engine_major_version must be a PostgreSQL major version such as \"16\"."
  }
}

variable "trusted_proxy_cidrs" {
  description = "Address ranges of the reverse proxies in front of pmo (the load balancer's subnets), passed as PMO_HTTP__TRUSTED_PROXIES: pmo takes the client address from X-Forwarded-For only when the connection comes from one of them. Empty: the variable is not set."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.trusted_proxy_cidrs : can(cidrhost(c, 0))])
    error_message = "trusted_proxy_cidrs must be CIDR blocks such as 10.40.0.0/16."
  }
}

variable "cache" {
  description = "Redis (ElastiCache) connection details, or null for the in-process cache."
  type = object({
    host                 = string
    port                 = number
    auth_token_parameter = string
  })
  default = null
}

variable "mail_from_address" {
  description = "Sender of outgoing mail (PMO_MAIL__FROM_ADDRESS), e.g. \"PMO <no-reply@example.com>\". The SMTP URL itself is a secret: put it in the SecureString parameter <ssm_prefix>/mail/smtp-url."
  type        = string
  default     = null
}

variable "extra_environment" {
  description = "Additional non-secret PMO_* settings for the service, e.g. { PMO_LOG_LEVEL = \"info,pmo=debug\" }. Secrets belong in SSM parameters."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.extra_environment : can(regex("^PMO_[A-Z0-9_]+$", k)) && !strcontains(v, "\n")])
    error_message = "extra_environment keys must look like PMO_SECTION__KEY and values must be single lines."
  }
}

variable "create_deployer_policy" {
  description = "Create an IAM policy for the people or CI that run release.sh and deploy.sh (upload to the code bucket, run commands on these instances only)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
