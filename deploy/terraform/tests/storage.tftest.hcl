# The seed's bucket properties, asserted on the storage module with the values the root module
# passes by default: versioning, encryption, public access block, ACLs off, TLS-only policy,
# CORS limited to the configured origin, lifecycle days, backup retention.

mock_provider "aws" {
  # No credentials, no network: shared mock values live in tests/mocks/aws.tfmock.hcl.
  source = "./tests/mocks"
}

variables {
  name_prefix          = "pmo-test"
  cors_allowed_origins = ["https://pmo.example.com"]
}

run "buckets_follow_the_seed" {
  command = plan

  module {
    source = "./modules/storage"
  }

  assert {
    condition     = toset(keys(aws_s3_bucket.this)) == toset(["attachments", "code", "backups", "logs"])
    error_message = "Expected the attachments, code, backups and logs buckets (legacy artifacts only on request)."
  }

  assert {
    condition     = alltrue([for k, v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Every bucket must have versioning enabled."
  }

  assert {
    condition = alltrue([
      for k, v in aws_s3_bucket_server_side_encryption_configuration.this :
      one(one(v.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    ])
    error_message = "Every bucket must encrypt objects at rest (SSE AES256, as the seed specifies)."
  }

  assert {
    condition = alltrue([
      for k, v in aws_s3_bucket_public_access_block.this :
      v.block_public_acls && v.block_public_policy && v.ignore_public_acls && v.restrict_public_buckets
    ])
    error_message = "Every bucket must block all public access."
  }

  assert {
    condition     = alltrue([for k, v in aws_s3_bucket_ownership_controls.this : v.rule[0].object_ownership == "BucketOwnerEnforced"])
    error_message = "ACLs must be disabled on every bucket."
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == length(aws_s3_bucket.this)
    error_message = "Every bucket needs its TLS-only bucket policy."
  }

  assert {
    condition     = alltrue([for k, v in aws_s3_bucket.this : !v.force_destroy])
    error_message = "Buckets must not be force-destroyable by default."
  }

  assert {
    condition     = toset(keys(aws_s3_bucket_logging.this)) == toset(["attachments", "code", "backups"])
    error_message = "Every bucket except the log bucket itself must log access to the logs bucket."
  }

  assert {
    condition     = one(aws_s3_bucket_cors_configuration.attachments.cors_rule).allowed_origins == toset(["https://pmo.example.com"])
    error_message = "CORS must admit exactly the configured origins."
  }

  assert {
    condition     = one(aws_s3_bucket_cors_configuration.attachments.cors_rule).allowed_methods == toset(["GET", "HEAD", "PUT"])
    error_message = "CORS must allow only what presigned uploads and downloads need (GET, HEAD, PUT)."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.attachments.rule : r.status == "Enabled" && anytrue([
        for t in r.transition : t.days == 90 && t.storage_class == "STANDARD_IA"
      ])
    ])
    error_message = "Attachments must move to STANDARD_IA after 90 days."
  }

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.attachments.rule : r.status == "Enabled" && anytrue([
        for t in r.transition : t.days == 180 && contains(["GLACIER_IR", "GLACIER"], t.storage_class)
      ])
    ])
    error_message = "Attachments must move to a Glacier class after 180 days."
  }

  assert {
    condition = contains(flatten([
      for r in aws_s3_bucket_lifecycle_configuration.attachments.rule : [
        for e in r.noncurrent_version_expiration : e.noncurrent_days
      ] if r.status == "Enabled"
    ]), 365)
    error_message = "Noncurrent attachment versions must expire after 365 days."
  }

  assert {
    condition = alltrue([
      for lc in [aws_s3_bucket_lifecycle_configuration.attachments, aws_s3_bucket_lifecycle_configuration.code, aws_s3_bucket_lifecycle_configuration.backups, aws_s3_bucket_lifecycle_configuration.logs] :
      contains(flatten([for r in lc.rule : [for a in r.abort_incomplete_multipart_upload : a.days_after_initiation] if r.status == "Enabled"]), 7)
    ])
    error_message = "Every bucket must abort incomplete multipart uploads after 7 days."
  }

  assert {
    condition     = aws_s3_bucket.this["backups"].object_lock_enabled
    error_message = "The backups bucket must be created with object lock."
  }

  assert {
    condition     = one(one(aws_s3_bucket_object_lock_configuration.backups[0].rule).default_retention).days == 30
    error_message = "Backups must be locked for the 30-day retention."
  }

  assert {
    condition     = one(one(aws_s3_bucket_object_lock_configuration.backups[0].rule).default_retention).mode == "GOVERNANCE"
    error_message = "Backups must use GOVERNANCE-mode object lock."
  }

  assert {
    condition = length(flatten([
      for r in aws_s3_bucket_lifecycle_configuration.backups.rule : [
        for e in r.noncurrent_version_expiration : e.noncurrent_days if e.noncurrent_days >= 1
      ] if r.status == "Enabled"
    ])) == 1
    error_message = "Pruned backups must eventually expire."
  }
}

run "legacy_artifacts_bucket_is_optional" {
  command = plan

  module {
    source = "./modules/storage"
  }

  variables {
    enable_legacy_artifacts_bucket = true
  }

  assert {
    condition     = contains(keys(aws_s3_bucket.this), "artifacts") && length(aws_s3_bucket_lifecycle_configuration.artifacts) == 1
    error_message = "enable_legacy_artifacts_bucket must add the artifacts bucket with its lifecycle rules."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this["artifacts"].versioning_configuration[0].status == "Enabled"
    error_message = "The legacy bucket must be versioned too."
  }
}
