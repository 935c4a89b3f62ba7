"""What operators and other services need from a running server: health checks and CORS."""
