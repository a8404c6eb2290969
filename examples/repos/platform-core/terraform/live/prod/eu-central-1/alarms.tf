# Traffic anomaly on the public ALB: a sudden drop usually means clients cannot reach us
# (DNS, CDN, certificate) before any error-rate alert can fire.
resource "aws_sns_topic" "platform_alerts" {
  name = "platform-alerts"
}

resource "aws_sns_topic_subscription" "pagerduty" {
  topic_arn              = aws_sns_topic.platform_alerts.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/5f3c1e9a2b7d4c8e9f0a1b2c3d4e5f60/enqueue"
  endpoint_auto_confirms = true
}

resource "aws_cloudwatch_metric_alarm" "edge_request_count_anomaly" {
  alarm_name          = "edge-alb-request-count-anomaly"
  alarm_description   = "Edge ALB traffic outside the expected band. Runbook: https://github.com/acme/platform-core/blob/main/docs/runbooks/edge-gateway/high-5xx.md"
  comparison_operator = "LessThanLowerThreshold"
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold_metric_id = "band"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.platform_alerts.arn]
  ok_actions          = [aws_sns_topic.platform_alerts.arn]

  metric_query {
    id          = "band"
    expression  = "ANOMALY_DETECTION_BAND(requests, 3)"
    label       = "RequestCount (expected)"
    return_data = true
  }

  metric_query {
    id          = "requests"
    return_data = true
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 300
      stat        = "Sum"
      dimensions = {
        LoadBalancer = "app/edge-prod-euc1/4f1c2d3e5a6b7c8d"
      }
    }
  }
}
