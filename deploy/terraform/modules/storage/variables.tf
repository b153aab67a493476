variable "name_prefix" {
  description = "Prefix of every bucket name (\"<project>-<environment>\"). AWS appends a unique suffix unless bucket_names sets a name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,24}$", var.name_prefix))
    error_message = "name_prefix must be 2-25 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "bucket_names" {
  description = "Optional exact names per bucket key (attachments, code, backups, logs, artifacts), e.g. to adopt buckets that already exist with `terraform import`. Keys left out get a generated unique name. Never put an account id in a name: it leaks into every presigned URL."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.bucket_names) : contains(["attachments", "code", "backups", "logs", "artifacts"], k)])
    error_message = "bucket_names keys must be among attachments, code, backups, logs, artifacts."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete non-empty buckets. Keep false for anything holding real data."
  type        = bool
  default     = false
}

variable "cors_allowed_origins" {
  description = "Exact origins (scheme://host[:port]) allowed to PUT/GET attachments directly with presigned URLs, normally just the web app's own URL. Wildcards are refused."
  type        = list(string)

  validation {
    condition     = length(var.cors_allowed_origins) > 0
    error_message = "cors_allowed_origins must list at least one origin: presigned browser uploads need the web app's origin (e.g. https://pmo.example.com)."
  }

  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : can(regex("^(https://[a-z0-9.-]+(:[0-9]+)?|http://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?)$", o))])
    error_message = "Each CORS origin must be an exact https:// origin without a path or wildcard (http:// is accepted for localhost only)."
  }
}

variable "attachments_ia_days" {
  description = "Days after which attachments move to STANDARD_IA (the seed: 90). S3 needs at least 30."
  type        = number
  default     = 90

  validation {
    condition     = var.attachments_ia_days >= 30
    error_message = "S3 accepts a STANDARD_IA transition only after 30 days or more."
  }
}

variable "attachments_archive_days" {
  description = "Days after which attachments move to the archive class (the seed: 180). Must be at least 30 days after the IA transition."
  type        = number
  default     = 180
}

variable "attachments_archive_storage_class" {
  description = "Archive class for old attachments. GLACIER_IR (Glacier Instant Retrieval, the default) keeps them downloadable through presigned URLs; GLACIER or DEEP_ARCHIVE would need a restore before every download."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.attachments_archive_storage_class)
    error_message = "attachments_archive_storage_class must be GLACIER_IR, GLACIER or DEEP_ARCHIVE."
  }
}

variable "attachments_noncurrent_expiration_days" {
  description = "Days a replaced or deleted attachment version stays recoverable before S3 expires it (the seed: 365)."
  type        = number
  default     = 365

  validation {
    condition     = var.attachments_noncurrent_expiration_days >= 30
    error_message = "Keep old attachment versions at least 30 days."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which unfinished multipart uploads are aborted in every bucket (the seed: 7)."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1 && var.abort_incomplete_multipart_days <= 30
    error_message = "abort_incomplete_multipart_days must be between 1 and 30."
  }
}

variable "code_noncurrent_expiration_days" {
  description = "Days an overwritten object in the code (release) bucket is kept. Releases themselves are immutable and kept until deleted."
  type        = number
  default     = 90
}

variable "backup_retention_days" {
  description = "Days every database backup is kept at least. Policy floor: 30 days (the seed's DR policy; see docs/OPERATIONS.md, \"Backups\"). With object lock on, S3 refuses to delete a backup version before then."
  type        = number
  default     = 30

  validation {
    condition     = var.backup_retention_days >= 30 && var.backup_retention_days <= 3650
    error_message = "backup_retention_days must be between 30 (the documented minimum retention) and 3650."
  }
}

variable "backups_object_lock" {
  description = "Create the backups bucket with S3 Object Lock (GOVERNANCE mode, backup_retention_days) so backups cannot be destroyed early, even with the instance's credentials. Only takes effect when the bucket is created."
  type        = bool
  default     = true
}

variable "backup_noncurrent_expiration_days" {
  description = "Days a pruned (deleted) backup stays recoverable as a noncurrent version before S3 removes it."
  type        = number
  default     = 30

  validation {
    condition     = var.backup_noncurrent_expiration_days >= 1
    error_message = "backup_noncurrent_expiration_days must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Days access logs (S3 server access logs, load balancer logs) are kept in the logs bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 90
    error_message = "Keep access logs at least 90 days."
  }
}

variable "enable_legacy_artifacts_bucket" {
  description = "Also create the seed's legacy artifacts bucket (deprecated document store, read-only for the application)."
  type        = bool
  default     = false
}

variable "enable_alb_access_logs" {
  description = "Grant the load balancer's log delivery permission to write under alb/ in the logs bucket."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every bucket."
  type        = map(string)
  default     = {}
}
