from fastapi import APIRouter

router = APIRouter()

_PRODUCTS = {"sku-1": {"sku": "sku-1", "name": "Coffee mug", "price_cents": 1290}}


@router.get("/products/{sku}")
async def product(sku: str) -> dict:
    return _PRODUCTS.get(sku) or {}
