variable "name_prefix" {
  description = "Prefix of every resource name (\"<project>-<environment>\")."
  type        = string
}

variable "ssm_prefix" {
  description = "SSM Parameter Store path under which the generated auth token is stored (e.g. /pmo/production)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the cache subnet group."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the cache (admits 6379 from the app instances only)."
  type        = string
}

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.micro"
}

variable "engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"
}

variable "num_cache_clusters" {
  description = "Nodes in the replication group: 1 (no failover) or 2-3 (automatic failover across zones)."
  type        = number
  default     = 1

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 3
    error_message = "num_cache_clusters must be 1, 2 or 3."
  }
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots (0 disables them: the cache holds only derived data)."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
