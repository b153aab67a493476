output "primary_endpoint" {
  description = "Host name of the primary node (TLS on port 6379)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "replication_group_id" {
  description = "Replication group id (for alarms)."
  value       = aws_elasticache_replication_group.this.id
}

output "auth_token_parameter_name" {
  description = "SSM SecureString holding the AUTH token."
  value       = aws_ssm_parameter.auth_token.name
}
