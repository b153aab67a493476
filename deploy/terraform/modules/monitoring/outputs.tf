output "sns_topic_arn" {
  description = "SNS topic every alarm notifies; subscribe e-mail, chat or paging to it."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the alarms created."
  value = compact(concat(
    aws_cloudwatch_metric_alarm.instance_recover[*].alarm_name,
    aws_cloudwatch_metric_alarm.instance_status[*].alarm_name,
    aws_cloudwatch_metric_alarm.instance_cpu[*].alarm_name,
    aws_cloudwatch_metric_alarm.asg_cpu[*].alarm_name,
    aws_cloudwatch_metric_alarm.alb_unhealthy[*].alarm_name,
    aws_cloudwatch_metric_alarm.alb_target_5xx[*].alarm_name,
    aws_cloudwatch_metric_alarm.alb_elb_5xx[*].alarm_name,
    aws_cloudwatch_metric_alarm.alb_latency[*].alarm_name,
    aws_cloudwatch_metric_alarm.db_cpu[*].alarm_name,
    aws_cloudwatch_metric_alarm.db_storage[*].alarm_name,
    aws_cloudwatch_metric_alarm.db_memory[*].alarm_name,
    aws_cloudwatch_metric_alarm.cache_cpu[*].alarm_name,
    aws_cloudwatch_metric_alarm.cache_memory[*].alarm_name,
  ))
}
