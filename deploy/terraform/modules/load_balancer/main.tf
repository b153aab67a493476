# Application Load Balancer terminating TLS with an ACM certificate (seed: "SSL/TLS"):
# HTTP answers with a 301 to HTTPS, HTTPS forwards to the instances' app port.

locals {
  create_certificate = var.certificate_arn == null
  validate_in_dns    = local.create_certificate && var.route53_zone_id != null
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:A WAF web ACL is optional (about 10 USD/month plus requests); the application enforces authentication, rate limits and login throttling itself. Attach one with aws_wafv2_web_acl_association when needed.
  name               = substr("${var.name_prefix}-alb", 0, 32)
  load_balancer_type = "application"
  internal           = false
  security_groups    = [var.security_group_id]
  subnets            = var.subnet_ids

  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  enable_http2               = true
  idle_timeout               = 60

  dynamic "access_logs" {
    for_each = var.access_logs_bucket != null ? [1] : []

    content {
      bucket  = var.access_logs_bucket
      prefix  = "alb"
      enabled = true
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.certificate_arn != null || var.route53_zone_id != null
      error_message = "The HTTPS listener needs a certificate: set certificate_arn (an issued ACM certificate) or route53_zone_id (to request and validate one in DNS)."
    }
  }
}

resource "aws_lb_target_group" "app" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the hop to the instances stays inside the VPC and the app port admits the load balancer's security group only.
  name_prefix          = "pmo-"
  port                 = var.app_port
  protocol             = "HTTP"
  target_type          = "instance"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    enabled             = true
    path                = var.health_check_path
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "this" {
  count = local.validate_in_dns ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  validation_option = local.validate_in_dns ? one([
    for o in aws_acm_certificate.this[0].domain_validation_options : o if o.domain_name == var.domain_name
  ]) : null
}

resource "aws_route53_record" "validation" {
  # Keyed by the (known) domain name so the plan does not depend on values ACM returns later.
  for_each = local.validate_in_dns ? toset([var.domain_name]) : toset([])

  zone_id         = var.route53_zone_id
  name            = local.validation_option.resource_record_name
  type            = local.validation_option.resource_record_type
  records         = [local.validation_option.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = local.validate_in_dns ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

locals {
  certificate_arn = local.validate_in_dns ? aws_acm_certificate_validation.this[0].certificate_arn : var.certificate_arn
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = local.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }

  tags = var.tags
}

resource "aws_route53_record" "app" {
  count = var.route53_zone_id != null ? 1 : 0

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
