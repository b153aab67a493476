output "bucket_names" {
  description = "Bucket name per key (attachments, code, backups, logs and, when enabled, artifacts)."
  value       = { for k, b in aws_s3_bucket.this : k => b.id }
}

output "bucket_arns" {
  description = "Bucket ARN per key."
  value       = { for k, b in aws_s3_bucket.this : k => b.arn }
}

output "attachments_bucket" {
  description = "Name of the attachments bucket (PMO_STORAGE__BUCKET)."
  value       = aws_s3_bucket.this["attachments"].id
}

output "code_bucket" {
  description = "Name of the code bucket that release.sh uploads to."
  value       = aws_s3_bucket.this["code"].id
}

output "backups_bucket" {
  description = "Name of the backups bucket (`pmo backup` writes under backups/db/)."
  value       = aws_s3_bucket.this["backups"].id
}

output "logs_bucket" {
  description = "Name of the access-log bucket."
  value       = aws_s3_bucket.this["logs"].id
}

output "artifacts_bucket" {
  description = "Name of the legacy artifacts bucket, or null when it is not created."
  value       = var.enable_legacy_artifacts_bucket ? aws_s3_bucket.this["artifacts"].id : null
}
