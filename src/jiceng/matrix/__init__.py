"""The 3×3 matrix of building party work (targets × goals) and the 党建+ themes: the tags that activities and
projects of the three lists carry, and the report by matrix cell (page, JSON at /api/reports/matrix/, Excel)."""
