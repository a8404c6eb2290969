from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> dict[str, str]:
    # TODO(shop-team): check the DB pool and Redis once the pool exposes a cheap ping
    return {"status": "ready"}
