output "instance_id" {
  description = "ID of the single instance, or null with an autoscaling group."
  value       = var.enable_autoscaling ? null : aws_instance.app[0].id
}

output "autoscaling_group_name" {
  description = "Name of the autoscaling group, or null with a single instance."
  value       = var.enable_autoscaling ? aws_autoscaling_group.app[0].name : null
}

output "role_name" {
  description = "Name of the instance role."
  value       = aws_iam_role.instance.name
}

output "role_policy_json" {
  description = "The instance role's inline policies (platform and SSM agent), for review."
  value = {
    platform      = jsonencode(local.instance_policy)
    ssm_agent     = jsonencode(local.session_manager_policy)
    deployer      = jsonencode(local.deployer_policy)
    parameter_arn = "${local.param_arn_prefix}/*"
  }
}

output "deployer_policy_arn" {
  description = "ARN of the deployer policy (attach it to the CI role or operators' group), or null."
  value       = var.create_deployer_policy ? aws_iam_policy.deployer[0].arn : null
}

output "deployment_tag" {
  description = "Tag that identifies this deployment's instances (deploy.sh --ssm --target)."
  value       = "pmo-deployment=${var.name_prefix}"
}

output "backup_key_parameter_name" {
  description = "SSM SecureString holding PMO_BACKUP__ENCRYPTION_KEY (keep a copy outside AWS)."
  value       = aws_ssm_parameter.backup_key.name
}

output "token_secret_parameter_name" {
  description = "SSM SecureString holding PMO_TOKEN_SECRET."
  value       = aws_ssm_parameter.token_secret.name
}

output "ami_id" {
  description = "AMI the instances boot from."
  value       = local.ami_id
}

output "static_environment" {
  description = "Non-secret environment of the service (written to /etc/pmo/pmo.env.base)."
  value       = local.static_environment
}

output "postgresql_client_major_version" {
  description = "Major version of the PostgreSQL client (pg_dump) the user data installs from apt.postgresql.org: the RDS engine's; null without RDS (the distribution's packages, matching the managed cluster)."
  value       = var.database == null ? null : var.database.engine_major_version
}
