"""Departments in the loop (区投资促进办, 市场监管所, 税务所 …): who they are per district, their users' scope, and the
签收 / 退单 handshake of the work a street assigns to them (demands, risk follow-ups)."""
