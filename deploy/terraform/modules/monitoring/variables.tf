variable "name_prefix" {
  description = "Prefix of every resource name (\"<project>-<environment>\")."
  type        = string
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (confirm the subscription mail), or null to subscribe something else to the topic yourself."
  type        = string
  default     = null
}

variable "watch_instance" {
  description = "Create alarms (and EC2 auto-recovery) for the single instance."
  type        = bool
  default     = false
}

variable "instance_id" {
  description = "ID of the single instance (when watch_instance)."
  type        = string
  default     = null
}

variable "watch_autoscaling_group" {
  description = "Create alarms for the autoscaling group."
  type        = bool
  default     = false
}

variable "autoscaling_group_name" {
  description = "Name of the autoscaling group (when watch_autoscaling_group)."
  type        = string
  default     = null
}

variable "watch_load_balancer" {
  description = "Create load balancer alarms (5xx, unhealthy targets, latency)."
  type        = bool
  default     = false
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer."
  type        = string
  default     = null
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the target group."
  type        = string
  default     = null
}

variable "watch_database" {
  description = "Create RDS alarms."
  type        = bool
  default     = false
}

variable "db_instance_identifier" {
  description = "RDS identifier of the primary."
  type        = string
  default     = null
}

variable "db_allocated_storage_gb" {
  description = "Allocated storage of the database, to size the free-storage alarm."
  type        = number
  default     = 20
}

variable "watch_cache" {
  description = "Create ElastiCache alarms."
  type        = bool
  default     = false
}

variable "cache_replication_group_id" {
  description = "Replication group id of the cache."
  type        = string
  default     = null
}

variable "cpu_threshold_percent" {
  description = "CPU utilisation (percent, 5-minute average) above which instances, the database and the cache alarm."
  type        = number
  default     = 80
}

variable "latency_threshold_seconds" {
  description = "p95 target response time (seconds) above which the load balancer alarms."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
