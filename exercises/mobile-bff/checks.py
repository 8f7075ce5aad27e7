"""Checks for mobile-bff; they run in the grading process, never in the sandbox."""

HOME_SCREEN_FIELDS = {"name", "avatar", "recentOrders"}
ORDER_FIELDS = {"orderId", "total"}


def only_home_screen_fields(run):
    for body in run.bodies():
        if not isinstance(body, dict):
            return f"the body should be a JSON object, but it is {body!r}"
        extra = sorted(set(body) - HOME_SCREEN_FIELDS)
        missing = sorted(HOME_SCREEN_FIELDS - set(body))
        if missing:
            return f"the body is missing {', '.join(missing)}"
        if extra:
            return f"the body should hold only name, avatar and recentOrders; remove {', '.join(extra)}"
        for order in body["recentOrders"]:
            if not isinstance(order, dict) or set(order) != ORDER_FIELDS:
                return (
                    f'each recent order should be just {{"orderId", "total"}}, but one is {order!r}'
                )
    return None


def three_newest_orders_in_order(run):
    for body in run.bodies():
        orders = body.get("recentOrders") if isinstance(body, dict) else None
        if not isinstance(orders, list):
            return "the body should have a recentOrders list"
        ids = [order.get("orderId") for order in orders if isinstance(order, dict)]
        if ids != ["o-5", "o-4", "o-3"]:
            return f"recentOrders should be o-5, o-4, o-3 (newest first, three of them), but they are {ids}"
        totals = [order.get("total") if isinstance(order, dict) else order for order in orders]
        if totals != [50, 40, 30]:
            return f"the totals should be the numbers [50, 40, 30], but they are {totals}"
    return None
