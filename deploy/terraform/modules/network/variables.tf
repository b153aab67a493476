variable "name_prefix" {
  description = "Prefix of every resource name (\"<project>-<environment>\")."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC, /16 to /20. Subnets are carved as /24-equivalents (8 more bits): public 0-2, app 10-12, data 20-22."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && !strcontains(var.vpc_cidr, ":") && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR between /16 and /20, e.g. 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "Availability zones to spread subnets over (2 or 3). The load balancer and RDS subnet groups need at least 2."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3."
  }
}

variable "availability_zones" {
  description = "Zones to use, e.g. [\"us-east-1a\", \"us-east-1b\"]. Null: the first az_count zones of the region. Pin them to keep subnets stable if a zone becomes unavailable."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || try(length(var.availability_zones) >= 2, false)
    error_message = "availability_zones must list at least two zones."
  }
}

variable "nat_gateway_mode" {
  description = "Outbound internet for the app subnets: \"single\" (one NAT gateway, default), \"per_az\" (one per zone, survives a zone outage) or \"none\" (no NAT: app instances get a public IPv4 address in the public subnets; their security group still admits nothing from the internet)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per_az", "none"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be single, per_az or none."
  }
}

variable "app_port" {
  description = "Port the pmo service listens on (PMO_LISTEN); reachable only from the load balancer's security group."
  type        = number
  default     = 4000

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && var.app_port != 9464
    error_message = "app_port must be an unprivileged port (1024-65535) other than the metrics port 9464."
  }
}

variable "smtp_port" {
  description = "Outbound SMTP port the instances may reach (587 submission with STARTTLS, or 465 SMTPS)."
  type        = number
  default     = 587

  validation {
    condition     = contains([465, 587, 2587], var.smtp_port)
    error_message = "smtp_port must be 587, 465 or 2587 (port 25 is throttled on EC2 and unencrypted)."
  }
}

variable "enable_alb" {
  description = "Create the load balancer security group and let it reach app_port on the instances."
  type        = bool
  default     = true
}

variable "alb_ingress_cidrs" {
  description = "Client ranges allowed to reach the load balancer on 80 (redirect only) and 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.alb_ingress_cidrs : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = "alb_ingress_cidrs must be IPv4 CIDR blocks (the VPC and load balancer are IPv4-only)."
  }
}

variable "ssh_ingress_cidrs" {
  description = "SSH is closed by default: use Systems Manager Session Manager. Only if you must, list narrow admin ranges here (IPv4 /16 or longer, IPv6 /48 or longer); the internet (0.0.0.0/0, ::/0) is refused."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for c in var.ssh_ingress_cidrs : can(cidrhost(c, 0)) && (
        strcontains(c, ":") ? tonumber(split("/", c)[1]) >= 48 : tonumber(split("/", c)[1]) >= 16
      )
    ])
    error_message = "ssh_ingress_cidrs refuses 0.0.0.0/0, ::/0 and any range wider than /16 (IPv4) or /48 (IPv6). Use Session Manager instead of opening SSH."
  }
}

variable "flow_log_traffic_type" {
  description = "Traffic the VPC flow log records: REJECT (default: cheap, shows probes and misconfigurations), ACCEPT or ALL."
  type        = string
  default     = "REJECT"

  validation {
    condition     = contains(["REJECT", "ACCEPT", "ALL"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be REJECT, ACCEPT or ALL."
  }
}

variable "log_retention_days" {
  description = "Days the VPC flow log group keeps its events."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
