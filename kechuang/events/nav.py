ORDER = 50
NAV = [("events:list", "活动", None)]
