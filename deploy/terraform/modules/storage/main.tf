# The platform's S3 buckets (seed: "S3 Buckets"):
#   attachments  multi-tenant files, keys tenant_id=…/entity=…/entity_id=…/…, presigned uploads
#   code         release tarballs uploaded by deploy/scripts/release.sh
#   backups      `pmo backup` dumps under backups/db/
#   logs         S3 server access logs and load balancer access logs
#   artifacts    the seed's legacy artifacts bucket (optional, read-only for the app)
#
# Every bucket: versioned, SSE (AES256, as the seed specifies), all public access blocked, ACLs
# disabled, TLS-only bucket policy, lifecycle rules, access logging to the logs bucket.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_elb_service_account" "current" {
  count = var.enable_alb_access_logs ? 1 : 0
}

locals {
  bucket_keys = concat(
    ["attachments", "code", "backups", "logs"],
    var.enable_legacy_artifacts_bucket ? ["artifacts"] : [],
  )

  purposes = {
    attachments = "Multi-tenant file attachments"
    code        = "Release tarballs for deployment"
    backups     = "Database backups (pmo backup)"
    logs        = "Access logs"
    artifacts   = "Legacy artifacts (deprecated, read-only)"
  }

  account_id = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage cost; backups are covered by versioning, object lock and the restore drill (docs/OPERATIONS.md). Enable it per bucket if the RPO needs a second region.
  #checkov:skip=CKV_AWS_145:The seed specifies SSE-S3 (AES256). A customer-managed KMS key adds per-request cost and a key policy to presigned uploads without changing who can read the objects.
  #checkov:skip=CKV2_AWS_6:False positive: checkov does not link for_each instances; aws_s3_bucket_public_access_block.this covers every bucket (asserted by tests/storage.tftest.hcl).
  #checkov:skip=CKV_AWS_21:False positive: aws_s3_bucket_versioning.this enables versioning on every bucket (asserted by tests/storage.tftest.hcl).
  #checkov:skip=CKV_AWS_18:False positive for attachments/code/backups: aws_s3_bucket_logging.this logs them to the logs bucket (asserted by tests/storage.tftest.hcl); the logs bucket does not log to itself.
  #checkov:skip=CKV2_AWS_62:No consumer for S3 event notifications: deployments are explicit (deploy.sh), not triggered by uploads.

  for_each = toset(local.bucket_keys)

  bucket              = lookup(var.bucket_names, each.key, null)
  bucket_prefix       = lookup(var.bucket_names, each.key, null) == null ? "${var.name_prefix}-${each.key}-" : null
  force_destroy       = var.force_destroy
  object_lock_enabled = each.key == "backups" && var.backups_object_lock

  tags = merge(var.tags, {
    Purpose = local.purposes[each.key]
    Bucket  = each.key
  })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  for_each = { for k, b in aws_s3_bucket.this : k => b if k != "logs" }

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.this["logs"].id
  target_prefix = "s3/${each.key}/"
}

# ---------------------------------------------------------------------------------------------
# Bucket policies: TLS only everywhere; the logs bucket also admits the log delivery services.

data "aws_iam_policy_document" "bucket" {
  for_each = aws_s3_bucket.this

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      each.value.arn,
      "${each.value.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "logs" ? [1] : []

    content {
      sid       = "S3ServerAccessLogs"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${each.value.arn}/s3/*"]

      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "logs" && var.enable_alb_access_logs ? [1] : []

    content {
      sid       = "LoadBalancerAccessLogs"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${each.value.arn}/alb/AWSLogs/${local.account_id}/*"]

      principals {
        type        = "AWS"
        identifiers = [data.aws_elb_service_account.current[0].arn]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "logs" && var.enable_alb_access_logs ? [1] : []

    content {
      sid       = "LoadBalancerLogDelivery"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${each.value.arn}/alb/AWSLogs/${local.account_id}/*"]

      principals {
        type        = "Service"
        identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ---------------------------------------------------------------------------------------------
# Attachments: CORS for presigned browser uploads/downloads, from the configured origins only.

resource "aws_s3_bucket_cors_configuration" "attachments" {
  bucket = aws_s3_bucket.this["attachments"].id

  cors_rule {
    allowed_methods = ["GET", "HEAD", "PUT"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["content-type", "content-md5", "content-disposition", "x-amz-*"]
    expose_headers  = ["ETag", "x-amz-version-id"]
    max_age_seconds = 3000
  }
}

# ---------------------------------------------------------------------------------------------
# Lifecycle rules (seed: IA after 90 d, Glacier after 180 d, old versions deleted after 365 d,
# incomplete multipart uploads aborted after 7 d).

resource "aws_s3_bucket_lifecycle_configuration" "attachments" {
  bucket = aws_s3_bucket.this["attachments"].id

  rule {
    id     = "tiering"
    status = "Enabled"

    filter {}

    transition {
      days          = var.attachments_ia_days
      storage_class = "STANDARD_IA"
    }

    transition {
      days          = var.attachments_archive_days
      storage_class = var.attachments_archive_storage_class
    }
  }

  rule {
    id     = "noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.attachments_noncurrent_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]

  lifecycle {
    precondition {
      condition     = var.attachments_archive_days >= var.attachments_ia_days + 30
      error_message = "attachments_archive_days must be at least 30 days after attachments_ia_days (S3 keeps objects 30 days in STANDARD_IA)."
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "code" {
  bucket = aws_s3_bucket.this["code"].id

  rule {
    id     = "noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.code_noncurrent_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# Backups: `pmo backup prune` removes dumps older than the retention (it leaves a delete marker);
# the pruned version stays recoverable for backup_noncurrent_expiration_days, then S3 removes it.
# Object lock makes each version undeletable for backup_retention_days.
resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = aws_s3_bucket.this["backups"].id

  rule {
    id     = "pruned-backups"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.backup_noncurrent_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_object_lock_configuration" "backups" {
  count = var.backups_object_lock ? 1 : 0

  bucket = aws_s3_bucket.this["backups"].id

  rule {
    default_retention {
      mode = "GOVERNANCE"
      days = var.backup_retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.this["logs"].id

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  rule {
    id     = "abort-incomplete-multipart"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# The original's rules for the legacy bucket: noncurrent versions to IA after 30 d, to an archive
# class after 90 d, deleted after 365 d.
resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  count = var.enable_legacy_artifacts_bucket ? 1 : 0

  bucket = aws_s3_bucket.this["artifacts"].id

  rule {
    id     = "noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_transition {
      noncurrent_days = 30
      storage_class   = "STANDARD_IA"
    }

    noncurrent_version_transition {
      noncurrent_days = 90
      storage_class   = "GLACIER_IR"
    }

    noncurrent_version_expiration {
      noncurrent_days = 365
    }
  }

  rule {
    id     = "abort-incomplete-multipart"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
