output "address" {
  description = "Host name of the primary."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the primary."
  value       = aws_db_instance.this.port
}

output "engine_major_version" {
  description = "PostgreSQL major version of the engine (e.g. \"16\"): the instances install the pg_dump of this version."
  value       = local.major_version
}

output "database_name" {
  description = "Database the platform uses."
  value       = local.database_name
}

output "username" {
  description = "Master user the platform connects as."
  value       = local.username
}

output "identifier" {
  description = "RDS identifier of the primary (for alarms and the console)."
  value       = aws_db_instance.this.identifier
}

output "replica_address" {
  description = "Host name of the read replica, or null."
  value       = var.enable_read_replica ? aws_db_instance.replica[0].address : null
}

output "replica_identifier" {
  description = "RDS identifier of the read replica, or null."
  value       = var.enable_read_replica ? aws_db_instance.replica[0].identifier : null
}

output "password_parameter_name" {
  description = "SSM SecureString holding the password (read by the instances at service start)."
  value       = aws_ssm_parameter.password.name
}

output "password_parameter_arn" {
  description = "ARN of the password parameter."
  value       = aws_ssm_parameter.password.arn
}

output "deletion_protection" {
  description = "Whether deletion protection is on."
  value       = aws_db_instance.this.deletion_protection
}

output "multi_az" {
  description = "Whether the primary has a standby in a second zone."
  value       = aws_db_instance.this.multi_az
}

output "backup_retention_days" {
  description = "Days of automated backups."
  value       = aws_db_instance.this.backup_retention_period
}
