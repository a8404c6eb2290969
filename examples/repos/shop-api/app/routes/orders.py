import structlog
from fastapi import APIRouter, HTTPException

from app import flags

router = APIRouter()
log = structlog.get_logger()


def order_total(items: list[dict], express: bool = False) -> int:
    total = sum(i["price_cents"] * i["qty"] for i in items)
    return total + (490 if express else 0)


@router.post("/orders")
async def create_order(payload: dict) -> dict:
    items = payload.get("items") or []
    if not items:
        raise HTTPException(status_code=422, detail="order without items")
    express = flags.enabled("checkout-express-shipping", payload.get("user_id")) and payload.get("express", False)
    total = order_total(items, express)
    log.info("order.created", items=len(items), total_cents=total, express=express)
    return {"status": "created", "total_cents": total}
