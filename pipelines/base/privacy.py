"""Personal data as the product shows it. One rule for a phone: its ASCII digits, the first three and the last four
kept (13812345678 → 138****5678), a short one starred, an empty one '—'. The build applies the same rule in SQL
(`mask_phone` in pipelines/warehouse/sql/macros.sql, for the raw rows it keeps of rejected lines); a test holds the
two spellings to the same answers."""
from __future__ import annotations

DIGITS = frozenset("0123456789")


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234; anything short or empty shows as '—' (never the number)."""
    digits = "".join(ch for ch in str(phone or "") if ch in DIGITS)
    if len(digits) < 7:
        return "—" if not digits else "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
