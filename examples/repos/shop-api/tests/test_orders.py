from app.routes.orders import order_total


def test_order_total_sums_items():
    assert order_total([{"price_cents": 100, "qty": 2}, {"price_cents": 50, "qty": 1}]) == 250


def test_express_shipping_adds_fee():
    assert order_total([{"price_cents": 100, "qty": 1}], express=True) == 590
