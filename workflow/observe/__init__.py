"""What an operator watches: JSON log lines, the request and database metrics, readiness."""
