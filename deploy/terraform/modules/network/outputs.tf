output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 range of the VPC (every subnet, the load balancer's included, is inside it)."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  description = "Subnets the pmo instances run in: the app tier, or the public tier when nat_gateway_mode is \"none\"."
  value       = local.public_app ? aws_subnet.public[*].id : aws_subnet.app[*].id
}

output "app_instances_need_public_ip" {
  description = "True when the instances reach the internet through their own public IPv4 address (nat_gateway_mode = \"none\")."
  value       = local.public_app
}

output "data_subnet_ids" {
  description = "Subnets without internet access, for RDS and ElastiCache."
  value       = aws_subnet.data[*].id
}

output "security_group_ids" {
  description = "Security group id per tier: alb (when enabled), app, db, cache."
  value       = local.sg_ids
}

output "ingress_rules" {
  description = "Every ingress rule, for review and tests: security group, port, CIDR or source security group."
  value = {
    for k, r in local.ingress_rules : k => {
      security_group        = r.sg
      from_port             = r.port
      to_port               = r.port
      cidr                  = r.cidr
      source_security_group = r.source
    }
  }
}
