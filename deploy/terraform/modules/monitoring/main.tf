# CloudWatch alarms (seed: "Monitoring (Future): AWS CloudWatch") sent to one SNS topic, plus
# automatic recovery of the single instance when its host fails.

data "aws_region" "current" {}

data "aws_partition" "current" {}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = "alias/aws/sns"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email != null ? 1 : 0

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  actions = [aws_sns_topic.alarms.arn]
}

# --- single instance ---------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "instance_recover" {
  count = var.watch_instance ? 1 : 0

  alarm_name          = "${var.name_prefix}-instance-system-check"
  alarm_description   = "The host under the pmo instance failed: EC2 recovers the instance onto new hardware (same id, disk and address)."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_System"
  dimensions          = { InstanceId = var.instance_id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = concat(local.actions, ["arn:${data.aws_partition.current.partition}:automate:${data.aws_region.current.name}:ec2:recover"])
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "instance_status" {
  count = var.watch_instance ? 1 : 0

  alarm_name          = "${var.name_prefix}-instance-status-check"
  alarm_description   = "The pmo instance fails its own status check (kernel, disk full, out of memory): look at it with Session Manager."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_Instance"
  dimensions          = { InstanceId = var.instance_id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "instance_cpu" {
  count = var.watch_instance ? 1 : 0

  alarm_name          = "${var.name_prefix}-instance-cpu"
  alarm_description   = "CPU of the pmo instance above ${var.cpu_threshold_percent}% for 15 minutes (t3 instances also run out of CPU credits)."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { InstanceId = var.instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.cpu_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- autoscaling group -------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "asg_cpu" {
  count = var.watch_autoscaling_group ? 1 : 0

  alarm_name          = "${var.name_prefix}-asg-cpu"
  alarm_description   = "Average CPU of the autoscaling group above ${var.cpu_threshold_percent}% for 15 minutes: it is at its maximum size or scaling lags."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { AutoScalingGroupName = var.autoscaling_group_name }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.cpu_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- load balancer -----------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "alb_unhealthy" {
  count = var.watch_load_balancer ? 1 : 0

  alarm_name          = "${var.name_prefix}-alb-unhealthy-targets"
  alarm_description   = "At least one pmo instance fails the load balancer's health check (GET /api/health)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_target_5xx" {
  count = var.watch_load_balancer ? 1 : 0

  alarm_name          = "${var.name_prefix}-alb-target-5xx"
  alarm_description   = "pmo answered more than 10 server errors (5xx) per minute for 5 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_elb_5xx" {
  count = var.watch_load_balancer ? 1 : 0

  alarm_name          = "${var.name_prefix}-alb-elb-5xx"
  alarm_description   = "The load balancer itself answered 5xx (no healthy target, timeouts) more than 10 times per minute."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_ELB_5XX_Count"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_latency" {
  count = var.watch_load_balancer ? 1 : 0

  alarm_name          = "${var.name_prefix}-alb-latency-p95"
  alarm_description   = "p95 response time of pmo above ${var.latency_threshold_seconds} s for 10 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix }
  extended_statistic  = "p95"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.latency_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- database ----------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "db_cpu" {
  count = var.watch_database ? 1 : 0

  alarm_name          = "${var.name_prefix}-db-cpu"
  alarm_description   = "Database CPU above ${var.cpu_threshold_percent}% for 15 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.cpu_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "db_storage" {
  count = var.watch_database ? 1 : 0

  alarm_name          = "${var.name_prefix}-db-free-storage"
  alarm_description   = "Less than 10% of the database's storage is free (storage autoscaling may have reached its maximum)."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.db_allocated_storage_gb * 1073741824 * 0.1
  comparison_operator = "LessThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "db_memory" {
  count = var.watch_database ? 1 : 0

  alarm_name          = "${var.name_prefix}-db-freeable-memory"
  alarm_description   = "Database freeable memory below 128 MiB for 15 minutes: too many connections or too small an instance class."
  namespace           = "AWS/RDS"
  metric_name         = "FreeableMemory"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 134217728
  comparison_operator = "LessThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- cache -------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "cache_cpu" {
  count = var.watch_cache ? 1 : 0

  alarm_name          = "${var.name_prefix}-cache-cpu"
  alarm_description   = "Redis engine CPU above ${var.cpu_threshold_percent}% for 15 minutes."
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  dimensions          = { ReplicationGroupId = var.cache_replication_group_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.cpu_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "cache_memory" {
  count = var.watch_cache ? 1 : 0

  alarm_name          = "${var.name_prefix}-cache-memory"
  alarm_description   = "Redis memory above 90%: entries are being evicted; consider a larger node type."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { ReplicationGroupId = var.cache_replication_group_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}
