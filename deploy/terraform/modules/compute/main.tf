# The pmo instances (seed: "EC2 Compute"): Ubuntu LTS on an encrypted gp3 root volume, IMDSv2
# only, an instance profile with least-privilege access, Systems Manager instead of SSH, and user
# data that installs the release from the code bucket and starts the `pmo` systemd service.
# Either one instance or, with enable_autoscaling, an autoscaling group of stateless instances.

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_ssm_parameter" "ubuntu_ami" {
  count = var.ami_id == null ? 1 : 0

  name = "/aws/service/canonical/ubuntu/server/${var.ubuntu_release}/stable/current/${var.architecture}/hvm/ebs-gp3/ami-id"
}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  ami_id     = var.ami_id != null ? var.ami_id : data.aws_ssm_parameter.ubuntu_ami[0].insecure_value

  param_arn_prefix = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.ssm_prefix}"

  # Non-secret settings of the service. Secrets (database password, Redis token, token secret,
  # SMTP URL) are read from SSM at every service start by pmo-render-env; see the user data.
  static_environment = merge(
    {
      PMO_ENVIRONMENT      = "production"
      PMO_LISTEN           = var.attach_to_load_balancer ? "0.0.0.0:${var.app_port}" : "127.0.0.1:${var.app_port}"
      PMO_DATA_DIR         = "/var/lib/pmo"
      PMO_PUBLIC_URL       = var.public_url
      PMO_STORAGE__BACKEND = "s3"
      PMO_STORAGE__BUCKET  = var.buckets.attachments
      PMO_STORAGE__REGION  = local.region
    },
    var.mail_from_address != null ? { PMO_MAIL__FROM_ADDRESS = var.mail_from_address } : {},
    var.extra_environment,
  )

  user_data = templatefile("${path.module}/templates/user_data.sh.tftpl", {
    region             = local.region
    code_bucket        = var.buckets.code
    backups_bucket     = var.buckets.backups
    release_version    = var.release_version
    ssm_prefix         = var.ssm_prefix
    app_port           = var.app_port
    static_environment = local.static_environment
    managed_postgres   = var.database == null
    db_host            = var.database == null ? "" : var.database.host
    db_port            = var.database == null ? 5432 : var.database.port
    db_name            = var.database == null ? "" : var.database.name
    db_user            = var.database == null ? "" : var.database.username
    db_password_param  = var.database == null ? "" : var.database.password_parameter
    db_replica_host    = var.database == null ? "" : (var.database.replica_host == null ? "" : var.database.replica_host)
    redis_host         = var.cache == null ? "" : var.cache.host
    redis_port         = var.cache == null ? 6379 : var.cache.port
    redis_token_param  = var.cache == null ? "" : var.cache.auth_token_parameter
  })

  instance_tags = merge(var.tags, {
    Name             = "${var.name_prefix}-app"
    "pmo-deployment" = var.name_prefix
  })
}

# ---------------------------------------------------------------------------------------------
# Instance role: Systems Manager agent, the platform's buckets (only the actions it uses) and its
# own SSM parameters. No s3:*, no ssm:* on *, no deleting object versions.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name_prefix        = "${var.name_prefix}-app-"
  description        = "pmo instances of ${var.name_prefix}"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

locals {
  bucket_arn = { for k, v in var.buckets : k => "arn:${local.partition}:s3:::${v}" if v != null }
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid = "AttachmentsList"
    actions = [
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:ListBucketMultipartUploads",
    ]
    resources = [local.bucket_arn.attachments]
  }

  statement {
    sid = "AttachmentsObjects"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.bucket_arn.attachments}/*"]
  }

  statement {
    sid       = "BackupsList"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn.backups]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["backups/", "backups/*"]
    }
  }

  statement {
    sid = "BackupsObjects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
    ]
    resources = ["${local.bucket_arn.backups}/backups/*"]
  }

  statement {
    sid       = "ReleasesList"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn.code]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["releases/", "releases/*"]
    }
  }

  statement {
    sid       = "ReleasesRead"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn.code}/releases/*"]
  }

  dynamic "statement" {
    for_each = var.buckets.artifacts != null ? [1] : []

    content {
      sid       = "LegacyArtifactsRead"
      actions   = ["s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion"]
      resources = [local.bucket_arn.artifacts, "${local.bucket_arn.artifacts}/*"]
    }
  }

  statement {
    sid       = "OwnParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["${local.param_arn_prefix}/*"]
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "pmo-least-privilege"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

resource "aws_iam_instance_profile" "instance" {
  name_prefix = "${var.name_prefix}-app-"
  role        = aws_iam_role.instance.name

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# The server's token secret (PMO_TOKEN_SECRET): the same on every instance, generated once.

resource "terraform_data" "token_secret" {
  input = sensitive("${replace(uuid(), "-", "")}${replace(uuid(), "-", "")}")

  lifecycle {
    ignore_changes = [input]
  }
}

resource "aws_ssm_parameter" "token_secret" {
  #checkov:skip=CKV_AWS_337:SecureString encrypted with the AWS-managed aws/ssm key; only the instance role may read this path.
  name        = "${var.ssm_prefix}/app/token-secret"
  description = "Secret from which pmo derives its token-signing keys (generated by Terraform)"
  type        = "SecureString"
  value       = terraform_data.token_secret.output

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# One instance (default)

resource "aws_instance" "app" {
  count = var.enable_autoscaling ? 0 : 1

  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_ids[0]
  vpc_security_group_ids      = [var.security_group_id]
  associate_public_ip_address = var.associate_public_ip
  iam_instance_profile        = aws_iam_instance_profile.instance.name
  user_data_base64            = base64gzip(local.user_data)
  monitoring                  = var.detailed_monitoring
  ebs_optimized               = true
  disable_api_termination     = var.termination_protection

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size_gb
    encrypted             = true
    delete_on_termination = true
  }

  tags        = local.instance_tags
  volume_tags = var.tags

  # A newer AMI or user data must not replace the running instance (without RDS it holds the
  # database). Rebuild deliberately: terraform apply -replace='module.compute.aws_instance.app[0]'.
  lifecycle {
    ignore_changes = [ami, user_data_base64]
  }
}

resource "aws_lb_target_group_attachment" "app" {
  count = !var.enable_autoscaling && var.attach_to_load_balancer ? 1 : 0

  target_group_arn = var.target_group_arn
  target_id        = aws_instance.app[0].id
  port             = var.app_port
}

# ---------------------------------------------------------------------------------------------
# Autoscaling group of stateless instances (option)

resource "aws_launch_template" "app" {
  count = var.enable_autoscaling ? 1 : 0

  name_prefix            = "${var.name_prefix}-app-"
  image_id               = local.ami_id
  instance_type          = var.instance_type
  user_data              = base64gzip(local.user_data)
  ebs_optimized          = true
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  network_interfaces {
    associate_public_ip_address = var.associate_public_ip
    security_groups             = [var.security_group_id]
    delete_on_termination       = true
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = var.detailed_monitoring
  }

  block_device_mappings {
    device_name = "/dev/sda1"

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size_gb
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = local.instance_tags
  }

  tag_specifications {
    resource_type = "volume"
    tags          = var.tags
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "app" {
  count = var.enable_autoscaling ? 1 : 0

  name_prefix               = "${var.name_prefix}-app-"
  min_size                  = var.asg_min_size
  max_size                  = var.asg_max_size
  desired_capacity          = var.asg_desired_capacity
  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = var.attach_to_load_balancer ? [var.target_group_arn] : []
  health_check_type         = var.attach_to_load_balancer ? "ELB" : "EC2"
  health_check_grace_period = 600
  default_instance_warmup   = 300
  termination_policies      = ["OldestLaunchTemplate", "OldestInstance"]

  launch_template {
    id      = aws_launch_template.app[0].id
    version = aws_launch_template.app[0].latest_version
  }

  # A new launch template version (new AMI, changed settings) replaces instances one batch at a
  # time while the rest keep serving.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 50
      instance_warmup        = 300
    }
  }

  dynamic "tag" {
    for_each = local.instance_tags

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    ignore_changes = [desired_capacity]

    precondition {
      condition     = var.database != null
      error_message = "An autoscaling group needs an external database (enable_rds = true): instances are stateless and replaceable."
    }

    precondition {
      condition     = var.asg_min_size <= var.asg_desired_capacity && var.asg_desired_capacity <= var.asg_max_size
      error_message = "Autoscaling sizes must satisfy asg_min_size <= asg_desired_capacity <= asg_max_size."
    }
  }
}

resource "aws_autoscaling_policy" "cpu" {
  count = var.enable_autoscaling ? 1 : 0

  name                   = "${var.name_prefix}-cpu-target"
  autoscaling_group_name = aws_autoscaling_group.app[0].name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.asg_cpu_target

    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Policy for whoever runs release.sh / deploy.sh / rollback.sh (attach it to a CI role or group).

data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "ListReleases"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn.code]
  }

  statement {
    sid       = "UploadReleases"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.bucket_arn.code}/releases/*"]
  }

  statement {
    sid       = "RunShellScriptDocument"
    actions   = ["ssm:SendCommand"]
    resources = ["arn:${local.partition}:ssm:${local.region}::document/AWS-RunShellScript"]
  }

  statement {
    sid       = "OnThisDeploymentsInstancesOnly"
    actions   = ["ssm:SendCommand"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "ssm:resourceTag/pmo-deployment"
      values   = [var.name_prefix]
    }
  }

  statement {
    sid = "FollowCommands"
    actions = [
      "ssm:ListCommands",
      "ssm:ListCommandInvocations",
      "ssm:GetCommandInvocation",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "deployer" {
  count = var.create_deployer_policy ? 1 : 0

  name_prefix = "${var.name_prefix}-deployer-"
  description = "Upload pmo releases and deploy them to the ${var.name_prefix} instances through Systems Manager"
  policy      = data.aws_iam_policy_document.deployer.json

  tags = var.tags
}
