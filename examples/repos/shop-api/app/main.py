"""shop-api entry point: wires logging, tracing, metrics and the routers."""

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from app import flags, telemetry
from app.logging import configure_logging, RequestContextMiddleware
from app.metrics import MetricsMiddleware, metrics_app
from app.routes import cart, catalogue, health, orders

configure_logging()
telemetry.configure_tracing(service_name="shop-api")
flags.init()

app = FastAPI(title="shop-api", version="1")
app.add_middleware(MetricsMiddleware)
app.add_middleware(RequestContextMiddleware)
app.include_router(health.router)
app.include_router(catalogue.router, prefix="/v1")
app.include_router(cart.router, prefix="/v1")
app.include_router(orders.router, prefix="/v1")
app.mount("/metrics", metrics_app)

FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
