// Command ledger serves the ledger HTTP API.
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.uber.org/zap"

	"github.com/acme/platform-core/services/ledger/internal/flags"
	"github.com/acme/platform-core/services/ledger/internal/ledger"
	"github.com/acme/platform-core/services/ledger/internal/logging"
	"github.com/acme/platform-core/services/ledger/internal/telemetry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	shutdown, err := telemetry.Setup(ctx, "ledger")
	if err != nil {
		panic(err)
	}
	defer shutdown(context.Background())

	log := logging.New()
	flags.Setup()

	api := ledger.NewAPI(log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", otelhttp.NewHandler(api, "ledger"))
	mux.Handle("/metrics", promhttp.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/readyz", api.Ready)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(c)
	}()
	log.Info("ledger listening", zap.String("addr", srv.Addr))
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal("server failed", zap.Error(err))
	}
}
