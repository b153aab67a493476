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
      # `pmo backup` and the daily backup job write to the backups bucket (Object Lock), with the
      # storage section's region and the instance role; the key comes from SSM (pmo-render-env).
      PMO_BACKUP__S3_BUCKET = var.buckets.backups
    },
    var.mail_from_address != null ? { PMO_MAIL__FROM_ADDRESS = var.mail_from_address } : {},
    # Behind the load balancer: pmo takes the client address from X-Forwarded-For only when the TCP
    # peer is inside these ranges. A list, in the same JSON form as PMO_HTTP__CORS_ALLOWED_ORIGINS.
    length(var.trusted_proxy_cidrs) > 0 ? { PMO_HTTP__TRUSTED_PROXIES = jsonencode(var.trusted_proxy_cidrs) } : {},
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
    db_engine_major    = var.database == null ? "" : var.database.engine_major_version
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
# Instance role: the Systems Manager agent (Session Manager and Run Command, nothing else), the
# platform's buckets (only the actions it uses) and its own SSM parameters. No s3:*, no ssm:*, no
# ssm or s3 action on "*", no deleting object versions, no AWS-managed policy (the usual
# AmazonSSMManagedInstanceCore would allow ssm:GetParameter(s) on every parameter of the account).
#
# The documents are plain HCL values encoded with jsonencode(), not aws_iam_policy_document data
# sources, so that `terraform test` (with a mocked provider) sees and checks their content:
# tests/iam.tftest.hcl.

locals {
  bucket_arn = { for k, v in var.buckets : k => "arn:${local.partition}:s3:::${v}" if v != null }

  assume_role_policy = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole"]
      Principal = { Service = ["ec2.amazonaws.com"] }
    }]
  }

  # What the SSM agent needs for Session Manager (AWS: "Create a custom IAM instance profile for
  # Session Manager") and for the Run Command deployments of deploy.sh --ssm (ec2messages, from
  # AmazonSSMManagedInstanceCore). ssmmessages and ec2messages actions have no resource types, so
  # they take "*"; ssm:UpdateInstanceInformation is limited to this account's instances.
  session_manager_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AgentRegistration"
        Effect = "Allow"
        Action = ["ssm:UpdateInstanceInformation"]
        Resource = [
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*",
          "arn:${local.partition}:ssm:${local.region}:${local.account_id}:managed-instance/*",
        ]
      },
      {
        Sid    = "SessionManagerChannels"
        Effect = "Allow"
        Action = [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ]
        Resource = ["*"]
      },
      {
        Sid    = "RunCommandMessages"
        Effect = "Allow"
        Action = [
          "ec2messages:AcknowledgeMessage",
          "ec2messages:DeleteMessage",
          "ec2messages:FailMessage",
          "ec2messages:GetEndpoint",
          "ec2messages:GetMessages",
          "ec2messages:SendReply",
        ]
        Resource = ["*"]
      },
    ]
  }

  instance_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid    = "AttachmentsList"
          Effect = "Allow"
          Action = [
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:ListBucketMultipartUploads",
          ]
          Resource = [local.bucket_arn.attachments]
        },
        {
          Sid    = "AttachmentsObjects"
          Effect = "Allow"
          Action = [
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
          ]
          Resource = ["${local.bucket_arn.attachments}/*"]
        },
        {
          # pmo backup list/prune (object_store lists with the prefix "backups/db/").
          Sid       = "BackupsList"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.bucket_arn.backups]
          Condition = { StringLike = { "s3:prefix" = ["backups/", "backups/*"] } }
        },
        {
          # Deleting only adds a delete marker: Object Lock keeps the version for its retention.
          Sid    = "BackupsObjects"
          Effect = "Allow"
          Action = [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
          ]
          Resource = ["${local.bucket_arn.backups}/backups/*"]
        },
        {
          Sid       = "ReleasesList"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.bucket_arn.code]
          Condition = { StringLike = { "s3:prefix" = ["releases/", "releases/*"] } }
        },
        {
          Sid      = "ReleasesRead"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.bucket_arn.code}/releases/*"]
        },
      ],
      var.buckets.artifacts != null ? [
        {
          Sid      = "LegacyArtifactsRead"
          Effect   = "Allow"
          Action   = ["s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion"]
          Resource = [local.bucket_arn.artifacts, "${local.bucket_arn.artifacts}/*"]
        },
      ] : [],
      [
        {
          # Secrets read by pmo-render-env: this deployment's parameters and no other.
          Sid      = "OwnParameters"
          Effect   = "Allow"
          Action   = ["ssm:GetParameter", "ssm:GetParameters"]
          Resource = ["${local.param_arn_prefix}/*"]
        },
      ],
    )
  }
}

resource "aws_iam_role" "instance" {
  name_prefix        = "${var.name_prefix}-app-"
  description        = "pmo instances of ${var.name_prefix}"
  assume_role_policy = jsonencode(local.assume_role_policy)

  tags = var.tags
}

resource "aws_iam_role_policy" "session_manager" {
  name   = "ssm-agent-session-manager"
  role   = aws_iam_role.instance.id
  policy = jsonencode(local.session_manager_policy)
}

resource "aws_iam_role_policy" "instance" {
  name   = "pmo-least-privilege"
  role   = aws_iam_role.instance.id
  policy = jsonencode(local.instance_policy)
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
# The key that encrypts `pmo backup` dumps (PMO_BACKUP__ENCRYPTION_KEY): generated once by
# Terraform so the daily backup runs from the first boot. An operator may put a key of their own
# with `aws ssm put-parameter --overwrite` (Terraform then leaves the value alone). Restoring needs
# the key that made the backup: keep a copy outside AWS (docs/OPERATIONS.md, "Backups").

resource "terraform_data" "backup_key" {
  input = sensitive("${replace(uuid(), "-", "")}${replace(uuid(), "-", "")}")

  lifecycle {
    ignore_changes = [input]
  }
}

resource "aws_ssm_parameter" "backup_key" {
  #checkov:skip=CKV_AWS_337:SecureString encrypted with the AWS-managed aws/ssm key; only the instance role may read this path.
  name        = "${var.ssm_prefix}/backup/encryption-key"
  description = "Key that encrypts pmo backups (generated by Terraform; may be replaced by the operator)"
  type        = "SecureString"
  value       = terraform_data.backup_key.output

  tags = var.tags

  lifecycle {
    ignore_changes = [value]
  }
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

locals {
  deployer_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListReleases"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.bucket_arn.code]
      },
      {
        Sid      = "UploadReleases"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${local.bucket_arn.code}/releases/*"]
      },
      {
        Sid      = "RunShellScriptDocument"
        Effect   = "Allow"
        Action   = ["ssm:SendCommand"]
        Resource = ["arn:${local.partition}:ssm:${local.region}::document/AWS-RunShellScript"]
      },
      {
        Sid       = "OnThisDeploymentsInstancesOnly"
        Effect    = "Allow"
        Action    = ["ssm:SendCommand"]
        Resource  = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"]
        Condition = { StringEquals = { "ssm:resourceTag/pmo-deployment" = [var.name_prefix] } }
      },
      {
        # These three have no resource types: IAM only accepts "*" for them. They only read the
        # status and output of commands.
        Sid    = "FollowCommands"
        Effect = "Allow"
        Action = [
          "ssm:ListCommands",
          "ssm:ListCommandInvocations",
          "ssm:GetCommandInvocation",
        ]
        Resource = ["*"]
      },
    ]
  }
}

resource "aws_iam_policy" "deployer" {
  count = var.create_deployer_policy ? 1 : 0

  name_prefix = "${var.name_prefix}-deployer-"
  description = "Upload pmo releases and deploy them to the ${var.name_prefix} instances through Systems Manager"
  policy      = jsonencode(local.deployer_policy)

  tags = var.tags
}
