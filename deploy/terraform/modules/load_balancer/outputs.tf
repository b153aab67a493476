output "dns_name" {
  description = "DNS name of the load balancer (point domain_name at it when Route 53 is not used)."
  value       = aws_lb.this.dns_name
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "Target group the instances register with."
  value       = aws_lb_target_group.app.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch dimension)."
  value       = aws_lb_target_group.app.arn_suffix
}

output "http_listener_redirects_to_https" {
  description = "True: the port 80 listener only answers with a 301 to HTTPS."
  value       = aws_lb_listener.http.default_action[0].type == "redirect"
}
