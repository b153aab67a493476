# Least privilege of the compute module's IAM policies, checked on the JSON the resources receive
# (the documents are built with jsonencode(), so the mocked provider does not hide them): no
# wildcard actions, no s3 or ssm action on "*", parameters only under /<project>/<environment>/,
# bucket actions only on the named buckets, and exactly what the SSM agent needs.

mock_provider "aws" {
  # No credentials, no network: shared mock values live in tests/mocks/aws.tfmock.hcl.
  source = "./tests/mocks"
}

variables {
  name_prefix             = "pmo-test"
  ssm_prefix              = "/pmo/test"
  subnet_ids              = ["subnet-00000000000000001"]
  security_group_id       = "sg-00000000000000001"
  public_url              = "https://pmo.example.com"
  attach_to_load_balancer = false
  ami_id                  = "ami-00000000000000001"
  buckets = {
    attachments = "pmo-test-attachments"
    code        = "pmo-test-code"
    backups     = "pmo-test-backups"
  }
}

run "instance_role_is_least_privilege" {
  command = plan

  module {
    source = "./modules/compute"
  }

  variables {
    buckets = {
      attachments = "pmo-test-attachments"
      code        = "pmo-test-code"
      backups     = "pmo-test-backups"
      artifacts   = "pmo-test-legacy"
    }
  }

  # Every statement of both inline policies of the instance role, with Action and Resource as lists.
  assert {
    condition = alltrue([
      for st in concat(jsondecode(aws_iam_role_policy.instance.policy).Statement, jsondecode(aws_iam_role_policy.session_manager.policy).Statement) :
      st.Effect == "Allow" && alltrue([for a in st.Action : !endswith(a, "*")])
    ])
    error_message = "No wildcard action (s3:*, ssm:*, ssm:Get*, *) in the instance role."
  }

  assert {
    condition = alltrue([
      for st in concat(jsondecode(aws_iam_role_policy.instance.policy).Statement, jsondecode(aws_iam_role_policy.session_manager.policy).Statement) :
      !contains(st.Resource, "*") if anytrue([for a in st.Action : startswith(a, "s3:") || startswith(a, "ssm:")])
    ])
    error_message = "No s3 or ssm action may apply to every resource (\"*\")."
  }

  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_role_policy.instance.policy).Statement : [
        for r in st.Resource : startswith(r, "arn:aws:ssm:us-east-1:000000000000:parameter/pmo/test/") && endswith(r, "/*") && !strcontains(trimprefix(r, "arn:aws:ssm:us-east-1:000000000000:parameter/pmo/test/"), "/")
      ] if anytrue([for a in st.Action : startswith(a, "ssm:")])
    ]))
    error_message = "Parameters may be read only under /pmo/test/ (this deployment's prefix)."
  }

  assert {
    condition = length([
      for st in jsondecode(aws_iam_role_policy.instance.policy).Statement : st
      if contains(st.Action, "ssm:GetParameter") && st.Resource == ["arn:aws:ssm:us-east-1:000000000000:parameter/pmo/test/*"]
    ]) == 1
    error_message = "The instance reads its own parameters (token secret, backup key, database password): one statement on /pmo/test/*."
  }

  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_role_policy.instance.policy).Statement : [
        for r in st.Resource : contains([
          for b in ["pmo-test-attachments", "pmo-test-code", "pmo-test-backups", "pmo-test-legacy"] : "arn:aws:s3:::${b}"
        ], split("/", r)[0])
      ] if anytrue([for a in st.Action : startswith(a, "s3:")])
    ]))
    error_message = "S3 actions may apply only to the named buckets (and objects in them)."
  }

  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_role_policy.instance.policy).Statement : [
        for r in st.Resource : r == "arn:aws:s3:::pmo-test-backups" || startswith(r, "arn:aws:s3:::pmo-test-backups/backups/")
      ] if anytrue([for r in st.Resource : startswith(r, "arn:aws:s3:::pmo-test-backups")])
    ]))
    error_message = "In the backups bucket the instances may touch backups/ only."
  }

  assert {
    condition = alltrue([
      for st in jsondecode(aws_iam_role_policy.instance.policy).Statement :
      !contains(st.Action, "s3:DeleteObjectVersion") && !contains(st.Action, "s3:PutBucketPolicy") && !contains(st.Action, "s3:BypassGovernanceRetention")
    ])
    error_message = "Instances must not delete object versions, change bucket policies or bypass Object Lock."
  }

  assert {
    condition = toset(flatten([for st in jsondecode(aws_iam_role_policy.session_manager.policy).Statement : st.Action])) == toset([
      "ssm:UpdateInstanceInformation",
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
      "ec2messages:AcknowledgeMessage",
      "ec2messages:DeleteMessage",
      "ec2messages:FailMessage",
      "ec2messages:GetEndpoint",
      "ec2messages:GetMessages",
      "ec2messages:SendReply",
    ])
    error_message = "The SSM agent gets exactly what Session Manager and Run Command need (no AmazonSSMManagedInstanceCore)."
  }

  assert {
    condition     = jsondecode(aws_iam_role.instance.assume_role_policy).Statement[0].Principal.Service == ["ec2.amazonaws.com"]
    error_message = "Only EC2 may assume the instance role."
  }

  assert {
    condition     = aws_ssm_parameter.backup_key.name == "/pmo/test/backup/encryption-key" && aws_ssm_parameter.backup_key.type == "SecureString"
    error_message = "The backup key is a SecureString under the deployment's prefix (readable by the instance role)."
  }

  assert {
    condition     = local.static_environment["PMO_BACKUP__S3_BUCKET"] == "pmo-test-backups" && local.static_environment["PMO_STORAGE__BUCKET"] == "pmo-test-attachments"
    error_message = "pmo must write its backups to the backups bucket, attachments to the attachments bucket."
  }

  assert {
    condition     = !anytrue([for k, v in local.static_environment : strcontains(k, "ENCRYPTION_KEY") || strcontains(k, "TOKEN_SECRET")])
    error_message = "Secrets (backup key, token secret) must come from SSM at service start, not from user data."
  }
}

run "deployer_policy_is_scoped" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = alltrue([
      for st in jsondecode(aws_iam_policy.deployer[0].policy).Statement :
      alltrue([for a in st.Action : !endswith(a, "*")])
    ])
    error_message = "No wildcard action in the deployer policy."
  }

  assert {
    condition = alltrue([
      for st in jsondecode(aws_iam_policy.deployer[0].policy).Statement :
      toset(st.Action) == toset(["ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"]) if contains(st.Resource, "*")
    ])
    error_message = "Only the command-status reads (which have no resource types) may use \"*\"."
  }

  assert {
    condition = alltrue([
      for st in jsondecode(aws_iam_policy.deployer[0].policy).Statement :
      st.Resource == ["arn:aws:ssm:us-east-1::document/AWS-RunShellScript"] || try(st.Condition.StringEquals["ssm:resourceTag/pmo-deployment"] == ["pmo-test"], false)
      if contains(st.Action, "ssm:SendCommand")
    ])
    error_message = "SendCommand only with AWS-RunShellScript, on this deployment's instances (tag pmo-deployment)."
  }

  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_policy.deployer[0].policy).Statement : [
        for r in st.Resource : r == "arn:aws:s3:::pmo-test-code" || startswith(r, "arn:aws:s3:::pmo-test-code/releases/")
      ] if anytrue([for a in st.Action : startswith(a, "s3:")])
    ]))
    error_message = "The deployer touches the code bucket only (uploads under releases/)."
  }
}
