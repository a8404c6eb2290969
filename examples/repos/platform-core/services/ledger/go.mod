module github.com/acme/platform-core/services/ledger

go 1.23

require (
	github.com/jackc/pgx/v5 v5.7.1
	github.com/open-feature/go-sdk v1.13.1
	github.com/open-feature/go-sdk-contrib/providers/flagd v0.2.4
	github.com/prometheus/client_golang v1.20.5
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.57.0
	go.opentelemetry.io/otel v1.32.0
	go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v1.32.0
	go.opentelemetry.io/otel/sdk v1.32.0
	go.opentelemetry.io/otel/trace v1.32.0
	go.uber.org/zap v1.27.0
)
