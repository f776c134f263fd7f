NAV = [("events:list", "活动", None)]
