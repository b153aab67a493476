output "app_url" {
  description = "Address of the platform."
  value       = "https://${var.domain_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer; point domain_name at it (CNAME or alias) when Route 53 is not used."
  value       = var.enable_alb ? module.load_balancer[0].dns_name : null
}

output "buckets" {
  description = "Bucket name per purpose: attachments, code, backups, logs (and artifacts when enabled)."
  value       = module.storage.bucket_names
}

output "code_bucket" {
  description = "Bucket release.sh uploads to (PMO_CODE_BUCKET for the deploy scripts)."
  value       = module.storage.code_bucket
}

output "ssm_prefix" {
  description = "SSM Parameter Store path of this deployment's secrets. Put the SMTP URL at <ssm_prefix>/mail/smtp-url."
  value       = local.ssm_prefix
}

output "backup_key_parameter" {
  description = "SSM SecureString with the key that encrypts pmo backups (generated once; copy it somewhere outside AWS — restores need it)."
  value       = module.compute.backup_key_parameter_name
}

output "instance_id" {
  description = "ID of the single instance (null with autoscaling). Shell: aws ssm start-session --target <id>."
  value       = module.compute.instance_id
}

output "autoscaling_group_name" {
  description = "Autoscaling group name (null with a single instance)."
  value       = module.compute.autoscaling_group_name
}

output "deployment_tag" {
  description = "Tag of this deployment's instances, for deploy.sh --ssm --target."
  value       = module.compute.deployment_tag
}

output "deployer_policy_arn" {
  description = "IAM policy to attach to whoever runs release.sh and deploy.sh."
  value       = module.compute.deployer_policy_arn
}

output "database_endpoint" {
  description = "RDS primary host name (null without RDS)."
  value       = var.enable_rds ? module.database[0].address : null
}

output "database_password_parameter" {
  description = "SSM SecureString with the database password (null without RDS)."
  value       = var.enable_rds ? module.database[0].password_parameter_name : null
}

output "redis_endpoint" {
  description = "ElastiCache primary endpoint (null without Redis)."
  value       = var.enable_redis ? module.cache[0].primary_endpoint : null
}

output "alarm_topic_arn" {
  description = "SNS topic of the CloudWatch alarms (null without alarms)."
  value       = var.enable_alarms ? module.monitoring[0].sns_topic_arn : null
}

output "security_group_ingress_rules" {
  description = "Every ingress rule of every security group (for review: no SSH or app port from the internet)."
  value       = module.network.ingress_rules
}

output "service_environment" {
  description = "Non-secret environment the instances give pmo (secrets are added from SSM at service start)."
  value       = module.compute.static_environment
}
