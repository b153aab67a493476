# VPC with three subnet tiers per availability zone:
#   public  load balancer and NAT gateways (no automatic public IPs)
#   app     pmo instances; outbound through NAT (or public, with nat_gateway_mode = "none")
#   data    RDS and ElastiCache; no route to the internet at all
# plus the security groups of every tier. Nothing admits SSH or the app port from the internet:
# administrators use Systems Manager Session Manager, and the app port only admits the load
# balancer's security group.

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Zones can be pinned with the availability_zones variable; otherwise the first az_count zones are sliced from the sorted list, so a new zone never adds subnets.
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_region" "current" {}

locals {
  azs        = var.availability_zones != null ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, var.az_count)
  az_count   = var.availability_zones != null ? length(var.availability_zones) : var.az_count
  nat_count  = var.nat_gateway_mode == "per_az" ? local.az_count : (var.nat_gateway_mode == "single" ? 1 : 0)
  public_app = var.nat_gateway_mode == "none"
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = "${var.name_prefix}-vpc" })
}

# The default security group of the VPC admits and sends nothing; every resource uses its own.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-default-closed" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-igw" })
}

resource "aws_subnet" "public" {
  count = local.az_count

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name_prefix}-public-${local.azs[count.index]}", Tier = "public" })
}

resource "aws_subnet" "app" {
  count = local.az_count

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, 10 + count.index)
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name_prefix}-app-${local.azs[count.index]}", Tier = "app" })
}

resource "aws_subnet" "data" {
  count = local.az_count

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, 20 + count.index)
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name_prefix}-data-${local.azs[count.index]}", Tier = "data" })
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name_prefix}-nat-${count.index}" })
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = merge(var.tags, { Name = "${var.name_prefix}-nat-${count.index}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = local.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "app" {
  count = local.az_count

  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-app-${local.azs[count.index]}" })
}

resource "aws_route" "app_nat" {
  count = local.nat_count > 0 ? local.az_count : 0

  route_table_id         = aws_route_table.app[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.nat_gateway_mode == "per_az" ? count.index : 0].id
}

resource "aws_route_table_association" "app" {
  count = local.az_count

  subnet_id      = aws_subnet.app[count.index].id
  route_table_id = aws_route_table.app[count.index].id
}

# Data subnets only have the VPC-local route.
resource "aws_route_table" "data" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-data" })
}

resource "aws_route_table_association" "data" {
  count = local.az_count

  subnet_id      = aws_subnet.data[count.index].id
  route_table_id = aws_route_table.data.id
}

# S3 traffic (attachments, backups, releases) goes through a free gateway endpoint instead of
# the NAT gateway, which charges per GB.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = concat(aws_route_table.app[*].id, [aws_route_table.public.id])

  tags = merge(var.tags, { Name = "${var.name_prefix}-s3" })
}

# ---------------------------------------------------------------------------------------------
# Flow logs (rejected traffic by default) to CloudWatch Logs.

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:Log group encrypted with the CloudWatch Logs service key; a customer-managed KMS key costs extra and grants nothing here.

  name              = "/${var.name_prefix}/vpc-flow-logs"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name_prefix        = "${var.name_prefix}-flow-logs-"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = var.flow_log_traffic_type
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn

  tags = merge(var.tags, { Name = "${var.name_prefix}-flow-logs" })
}

# ---------------------------------------------------------------------------------------------
# Security groups. Rules are separate resources (one per rule) so they can be listed and tested.

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:False positive: attached in other modules (load balancer, instances, RDS, ElastiCache) through this module's security_group_ids output.
  count = var.enable_alb ? 1 : 0

  name_prefix = "${var.name_prefix}-alb-"
  description = "Load balancer: HTTPS (and HTTP, redirected) from clients; forwards to the app port"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:False positive: attached in other modules (load balancer, instances, RDS, ElastiCache) through this module's security_group_ids output.
  name_prefix = "${var.name_prefix}-app-"
  description = "pmo instances: app port from the load balancer only; no SSH unless narrow ranges are configured"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-app" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "db" {
  #checkov:skip=CKV2_AWS_5:False positive: attached in other modules (load balancer, instances, RDS, ElastiCache) through this module's security_group_ids output.
  name_prefix = "${var.name_prefix}-db-"
  description = "PostgreSQL: 5432 from the app instances only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-db" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "cache" {
  #checkov:skip=CKV2_AWS_5:False positive: attached in other modules (load balancer, instances, RDS, ElastiCache) through this module's security_group_ids output.
  name_prefix = "${var.name_prefix}-cache-"
  description = "Redis: 6379 from the app instances only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-cache" })

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  sg_ids = merge(
    {
      app   = aws_security_group.app.id
      db    = aws_security_group.db.id
      cache = aws_security_group.cache.id
    },
    var.enable_alb ? { alb = aws_security_group.alb[0].id } : {},
  )

  # Every ingress rule: security group, ports, and either a CIDR or a source security group.
  ingress_rules = merge(
    var.enable_alb ? merge(
      { for c in var.alb_ingress_cidrs : "alb-https-${c}" => { sg = "alb", port = 443, cidr = c, source = null, description = "HTTPS from clients" } },
      { for c in var.alb_ingress_cidrs : "alb-http-${c}" => { sg = "alb", port = 80, cidr = c, source = null, description = "HTTP from clients (redirected to HTTPS)" } },
      { "app-from-alb" = { sg = "app", port = var.app_port, cidr = null, source = "alb", description = "pmo from the load balancer" } },
    ) : {},
    { for c in var.ssh_ingress_cidrs : "app-ssh-${c}" => { sg = "app", port = 22, cidr = c, source = null, description = "SSH from an administrator range" } },
    {
      "db-from-app"    = { sg = "db", port = 5432, cidr = null, source = "app", description = "PostgreSQL from the app instances" }
      "cache-from-app" = { sg = "cache", port = 6379, cidr = null, source = "app", description = "Redis from the app instances" }
    },
  )

  egress_rules = merge(
    var.enable_alb ? {
      "alb-to-app" = { sg = "alb", port = var.app_port, cidr = null, dest = "app", description = "Forward to pmo" }
    } : {},
    {
      "app-https" = { sg = "app", port = 443, cidr = "0.0.0.0/0", dest = null, description = "HTTPS to AWS APIs (S3, SSM, CloudWatch) and package mirrors" }
      "app-http"  = { sg = "app", port = 80, cidr = "0.0.0.0/0", dest = null, description = "HTTP to Ubuntu package mirrors (packages are signed)" }
      "app-smtp"  = { sg = "app", port = var.smtp_port, cidr = "0.0.0.0/0", dest = null, description = "SMTP submission to the mail relay" }
      "app-db"    = { sg = "app", port = 5432, cidr = null, dest = "db", description = "PostgreSQL" }
      "app-cache" = { sg = "app", port = 6379, cidr = null, dest = "cache", description = "Redis" }
    },
  )
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = local.ingress_rules

  security_group_id            = local.sg_ids[each.value.sg]
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr != null && !strcontains(coalesce(each.value.cidr, "-"), ":") ? each.value.cidr : null
  cidr_ipv6                    = each.value.cidr != null && strcontains(coalesce(each.value.cidr, "-"), ":") ? each.value.cidr : null
  referenced_security_group_id = each.value.source != null ? local.sg_ids[each.value.source] : null

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = local.egress_rules

  security_group_id            = local.sg_ids[each.value.sg]
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr
  referenced_security_group_id = each.value.dest != null ? local.sg_ids[each.value.dest] : null

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}" })
}
