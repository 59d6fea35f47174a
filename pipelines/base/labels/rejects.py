"""Why a row was rejected: the reason (by code, `reason_<code>`) and the detail beside it that names the field and
the value at fault (`detail_<code>`, placeholders by position because the build's SQL fills them:
pipelines.warehouse.sql's `reject_detail` macro is made from this table, so SQL and pages say the same)."""

REASONS: dict[str, tuple[str, str]] = {
    "reason_missing_id": ("缺少编号", "Missing id"),
    "reason_duplicate_id": ("编号重复", "Duplicate id"),
    "reason_missing_value": ("缺少必填值", "Missing value"),
    "reason_bad_date": ("日期无法识别", "Not a date"),
    "reason_bad_amount": ("金额无法识别或为负", "Not an amount"),
    "reason_bad_status": ("状态不是 paid / refunded / cancelled", "Unknown status"),
    "reason_bad_row": ("列数与表头不符", "Wrong number of fields"),
    "reason_bad_quote": ("引号不配对", "Unbalanced quote"),
    "reason_bad_encoding": ("文字编码有误", "Unreadable characters"),
    "reason_unknown_station": ("驿站不存在", "Unknown station"),
    "reason_unknown_member": ("会员不存在", "Unknown member"),
    "reason_before_join": ("订单早于入会", "Order before joining"),
    "reason_closed_before_opened": ("关闭早于开业", "Closed before opening"),
    "reason_opened_before_signed": ("开业早于签约", "Opened before signing"),
    "reason_refunded_before_joined": ("退款早于入会", "Refunded before joining"),
    "reason_future_date": ("日期晚于截至日", "Date after the as-of"),
}

DETAILS: dict[str, tuple[str, str]] = {
    # written by the staging and core SQL (pipelines/warehouse/sql)
    "detail_empty": ("{0} 为空", "{0} is empty"),
    "detail_not_a_date": ("{0}「{1}」不是日期（请用 YYYY-MM-DD）", '{0} "{1}" is not a date (use YYYY-MM-DD)'),
    "detail_not_a_datetime": ("{0}「{1}」不是日期时间（请用 YYYY-MM-DD HH:MM:SS）",
                              '{0} "{1}" is not a date and time (use YYYY-MM-DD HH:MM:SS)'),
    "detail_after_as_of": ("{0} {1} 晚于数据截至日 {2}", "{0} {1} is after the data's as-of date {2}"),
    "detail_before": ("{0} {1} 早于 {2} {3}", "{0} {1} is before {2} {3}"),
    "detail_never_opened": ("closed_on {0} 已填写，但驿站从未开业（opened_on 为空）",
                            "closed_on {0} is set but the station never opened (opened_on is empty)"),
    "detail_comma": ("{0}「{1}」中的逗号不是千分位（请写成 1234.50 或 1,234.50）",
                     '{0} "{1}" has a comma that is not a thousands separator (write 1234.50 or 1,234.50)'),
    "detail_not_a_number": ("{0}「{1}」不是数字", '{0} "{1}" is not a number'),
    "detail_order_too_large": ("{0}「{1}」超过单笔订单上限 {2}",
                               '{0} "{1}" is more than {2}, the most one order may be'),
    "detail_fee_too_large": ("{0}「{1}」超过单笔会费上限 {2}", '{0} "{1}" is more than {2}, the most one fee may be'),
    "detail_negative": ("{0}「{1}」是负数", '{0} "{1}" is negative'),
    "detail_zero_amount": ("amount 为 0：订单金额必须大于 0", "amount is 0; an order amount must be greater than 0"),
    "detail_bad_status": ("status「{0}」不是 paid、refunded、cancelled 之一",
                          'status "{0}" is not one of paid, refunded, cancelled'),
    "detail_duplicate": ("{0} {1} 重复：已载入第一次出现的行（{2} 第 {3} 行）",
                         "duplicate {0} {1}: the first row with this id ({2} line {3}) was loaded"),
    "detail_unknown_member": ("会员 {0} 不在已载入的会员中（会员表里没有，或在那里被拒绝）",
                              "member {0} is not among the loaded members (missing from members, or rejected there)"),
    "detail_unknown_station": ("驿站 {0} 不在已载入的驿站中（驿站表里没有，或在那里被拒绝）",
                               "station {0} is not among the loaded stations (missing from stations, or rejected "
                               "there)"),
    "detail_before_join": ("下单时间 {0}，但会员 {1} 于 {2} 才入会", "ordered at {0} but member {1} joined on {2}"),
    # written by the file reader (pipelines/warehouse/ingest.py) for a record it cannot map to columns
    "detail_fields": ("这一行有 {0} 个字段，表头有 {1} 个", "row has {0} fields but the header has {1}"),
    "detail_open_quote": ("第 {0} 行的引号没有在本行闭合：这一行被拒绝，后面的行各自读取",
                          "a quote opened on line {0} is not closed on that line; the line is rejected and the next "
                          "lines are read on their own"),
    "detail_quote": ("第 {0} 行的字段中间有引号（请把整个字段放在引号里，字段内的引号写成两个）",
                     "a quote in the middle of a field on line {0} (write the field in quotes, a quote inside as two "
                     "quotes)"),
    "detail_too_long": ("第 {0} 行有一个字段超过 {1} MB", "a field on line {0} is longer than {1} MB"),
    "detail_encoding": ("第 {0} 行含有不是 {1} 编码的字节（{2}），与文件其余部分不同",
                        "line {0} has bytes that are not {1} text ({2}), unlike the rest of the file"),
    "detail_as_gb18030": ("第 {0} 行是用 GB18030 中文编码保存的，而文件是 UTF-8：这里读成「{1}」，按 GB18030 "
                          "是「{2}」；请把整个文件另存为 CSV UTF-8",
                          "line {0} was saved as Chinese GB18030 in a UTF-8 file: it reads as {1} here, as {2} in "
                          "GB18030; save the whole file as CSV UTF-8"),
    "detail_as_western": ("第 {0} 行是用西文程序保存的，而文件是 GB18030 中文：这里读成「{1}」，按西文（cp1252）"
                          "是「{2}」；请把整个文件另存为 CSV UTF-8",
                          "line {0} was saved by a Western program in a Chinese GB18030 file: it reads as {1} here, "
                          "as {2} in Western (cp1252) text; save the whole file as CSV UTF-8"),
}
