variable "name_prefix" {
  description = "Prefix of every resource name (\"<project>-<environment>\")."
  type        = string
}

variable "ssm_prefix" {
  description = "SSM Parameter Store path under which the generated password is stored (e.g. /pmo/production). The instances may read parameters below this path only."
  type        = string

  validation {
    condition     = can(regex("^(/[a-zA-Z0-9_.-]+)+$", var.ssm_prefix))
    error_message = "ssm_prefix must be an absolute parameter path such as /pmo/production, without a trailing slash."
  }
}

variable "subnet_ids" {
  description = "Private subnets (at least two zones) for the database subnet group."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the database (admits 5432 from the app instances only)."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version (minor versions are upgraded automatically in the maintenance window)."
  type        = string
  default     = "16"

  validation {
    condition     = contains(["14", "15", "16", "17"], var.engine_version)
    error_message = "engine_version must be a PostgreSQL major version the platform supports: 14, 15, 16 or 17."
  }
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage_gb >= 20
    error_message = "RDS gp3 storage starts at 20 GiB."
  }
}

variable "max_allocated_storage_gb" {
  description = "Upper bound for storage autoscaling in GiB (0 disables autoscaling)."
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "Run a synchronous standby in a second zone (automatic failover, about twice the cost)."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days of automated snapshots and point-in-time recovery (RPO about 5 minutes within this window). Minimum 7 by policy, maximum 35 (RDS limit)."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 7 (documented minimum) and 35 (RDS maximum)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database (turn off deliberately, in a separate apply, before a destroy)."
  type        = bool
  default     = true
}

variable "performance_insights" {
  description = "Enable Performance Insights (7 days of history are free)."
  type        = bool
  default     = true
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds (0 disables it; 1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "enable_read_replica" {
  description = "Create one read replica; the instances get its URL as PMO_DATABASE_REPLICA_URL."
  type        = bool
  default     = false
}

variable "replica_instance_class" {
  description = "Instance class of the read replica (null: same as the primary)."
  type        = string
  default     = null
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the maintenance window (restarts the database for some changes)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
