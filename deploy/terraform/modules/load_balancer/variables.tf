variable "name_prefix" {
  description = "Prefix of every resource name (\"<project>-<environment>\")."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets (at least two zones) for the load balancer."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the load balancer."
  type        = string
}

variable "app_port" {
  description = "Port the instances serve on."
  type        = number
}

variable "domain_name" {
  description = "Host name the platform is served at (e.g. pmo.example.com)."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of an existing ACM certificate for domain_name. Null: request one, validated through DNS in route53_zone_id (one of the two is required)."
  type        = string
  default     = null
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name. When set, DNS validation records and an alias record for the load balancer are created."
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 minimum, TLS 1.3 preferred)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer."
  type        = bool
  default     = true
}

variable "access_logs_bucket" {
  description = "Bucket for access logs (written under alb/), or null to disable them."
  type        = string
  default     = null
}

variable "health_check_path" {
  description = "Path of the target health check. Liveness (/api/health) by default: an instance is not replaced because a shared dependency is down; deploy.sh gates on /api/health/ready."
  type        = string
  default     = "/api/health"
}

variable "deregistration_delay" {
  description = "Seconds in-flight requests get when an instance leaves (pmo's own shutdown grace is 20 s)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
