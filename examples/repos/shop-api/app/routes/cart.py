import structlog
from fastapi import APIRouter

router = APIRouter()
log = structlog.get_logger()


@router.post("/cart/{cart_id}/items")
async def add_item(cart_id: str, sku: str, qty: int = 1) -> dict:
    log.info("cart.add_item", cart_id=cart_id, sku=sku, qty=qty)
    return {"cart_id": cart_id, "sku": sku, "qty": qty}
