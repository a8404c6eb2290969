// Command edge-gateway authenticates, rate-limits and routes public API traffic.
package main

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

func main() {
	log, _ := zap.NewProduction()
	defer log.Sync()

	upstream, _ := url.Parse(os.Getenv("UPSTREAM_URL"))
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.Transport = otelhttp.NewTransport(http.DefaultTransport)
	limiter := rate.NewLimiter(rate.Limit(2000), 4000)

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.Handle("/", otelhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !limiter.Allow() {
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}), "edge-gateway"))

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("edge-gateway listening", zap.String("upstream", upstream.String()))
	if err := srv.ListenAndServe(); err != nil {
		log.Fatal("server failed", zap.Error(err))
	}
}
