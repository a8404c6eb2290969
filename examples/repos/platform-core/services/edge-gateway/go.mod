module github.com/acme/platform-core/services/edge-gateway

go 1.23

require (
	github.com/open-feature/go-sdk v1.13.1
	github.com/open-feature/go-sdk-contrib/providers/flagd v0.2.4
	github.com/prometheus/client_golang v1.20.5
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.57.0
	go.opentelemetry.io/otel v1.32.0
	go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v1.32.0
	go.opentelemetry.io/otel/sdk v1.32.0
	go.uber.org/zap v1.27.0
	golang.org/x/time v0.8.0
)
