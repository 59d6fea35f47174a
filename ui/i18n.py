"""Every label of the app in Chinese and English, and numbers and dates formatted for people.

`t("key")` returns the label in the session's language (`st.session_state["lang_code"]`, "zh" by default);
`t("key", n=3)` fills `{n}` placeholders. Labels live in one table, each with both languages.
"""
from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from pipelines.okr import fmt
from pipelines.okr.status import STATUS

LANGS = {"zh": "中文", "en": "English"}

LABELS: dict[str, tuple[str, str]] = {
    "month": ("月份", "Month"),
    "as_of": ("截至日期", "As of"),
    "as_of_help": ("统计到这一天（含）。默认是数据的最后日期，只能选所选月份内的日期。",
                   "Count up to and including this day. Defaults to the last date in the data; limited to the month."),
    "page_board": ("总览", "Board"),
    "preparing": ("首次启动：正在生成示例数据并构建数据仓库…", "First start: generating the sample data and building the warehouse…"),
    "prepared": ("示例数据已就绪（用时 {s:.0f} 秒）", "Sample data ready (took {s:.0f} s)"),
    "prepare_failed": ("无法准备数据仓库：{err}", "The warehouse could not be prepared: {err}"),
    "prepare_hint": ("请在项目目录运行 `python -m pipelines build` 查看详情，修复后刷新本页。",
                     "Run `python -m pipelines build` in the project folder to see the details, fix it and reload."),
    "warehouse_unreadable": ("数据仓库无法读取：{err}。请重新构建：`python -m pipelines build`。",
                             "The warehouse cannot be read: {err}. Rebuild it: `python -m pipelines build`."),
    "no_dates": ("数据仓库里还没有任何日期的数据：请检查原始数据后重新构建。",
                 "The warehouse holds no dated data yet: check the raw files and build again."),
    "data_through": ("数据截至 {d}", "Data through {d}"),
    # the board
    "north_star": ("北极星", "North star"),
    "no_north_star": ("尚未设置北极星目标：在 goals.yaml 的 north_star 中填写标题、起止日期和目标后重新构建。",
                      "No north star set yet: add its title, dates and targets under north_star in goals.yaml and "
                      "build again."),
    "period_line": ("{month} · 截至 {d}（第 {n} / {days} 天）", "{month} · as of {d} (day {n} of {days})"),
    "period_over": ("{month} · 已结束（截至 {d}）", "{month} · closed (as of {d})"),
    "last_date_note": ("· 数据至 {d}", "· data to {d}"),
    "active_stations": ("在营驿站", "Active stations"),
    "members_served": ("服务会员", "Members served"),
    "unit_stations": ("个", "stations"),
    "unit_members": ("人", "members"),
    "since": ("较上月末（{d}）", "since {d}"),
    "of_goal": ("完成 {p}", "{p} done"),
    "time_elapsed": ("时间已过 {p}", "{p} of time gone"),
    "need_monthly": ("需每月 +{n}", "need +{n}/mo"),
    "trailing": ("近6月实际 +{n}/月", "last 6 mo +{n}/mo"),
    "projected": ("照此速度 {m} 达成", "at that rate {m}"),
    "projected_late": ("照此速度 {end}前达不到", "at that rate not reached by {end}"),
    "projected_never": ("按此速度无法达成", "not reached at this rate"),
    "achieved_goal": ("已达成", "reached"),
    "this_month": ("本月目标", "This month"),
    "new_stations": ("新开驿站", "New stations"),
    "new_members": ("新增会员", "New members"),
    "expected": ("应完成", "Expected"),
    "forecast": ("预计", "Forecast"),
    "required": ("每天需", "Need/day"),
    "pace": ("节奏", "Pace"),
    "expected_help": ("目标 × 本月已过天数占比：到今天应完成的数量", "Target × share of the month gone: where we should be today"),
    "forecast_help": ("按本月至今的日均速度，月末的预计数", "The month-end figure at this month's daily rate so far"),
    "required_help": ("完成目标，剩余每天需要的数量", "What each remaining day needs to reach the target"),
    "pace_help": ("实际 ÷ 今日应完成；100% 即按节奏", "Actual ÷ expected; 100% is on pace"),
    "no_target_month": ("本月没有目标：在「目标分解」页设置。", "No target this month: set one on the Plan page."),
    # issue 22: the month's shape, the band, who explains the gap, since last week, milestones, revised targets
    "expected_help_s": ("目标 × 按往年同月曲线到今天应完成的占比（双11、春节、周末都算在内）",
                        "Target × the share of the month due by today on the month's shape from earlier years "
                        "(Double 11, the new year, weekends)"),
    "forecast_help_s": ("本月至今 ÷ 按往年曲线到今天应完成的占比；括号里是 80% 区间：往年同一天的预测误差",
                        "So far ÷ the share due by today on the month's shape; in brackets the 80 % band, from how far "
                        "this forecast missed at the same day in earlier months"),
    "pace_help_s": ("实际 ÷ 按往年同月曲线今天应完成；100% 即按节奏",
                    "Actual ÷ expected on the month's shape; 100% is on pace"),
    "basis_seasonal": ("节奏按季节曲线", "Pace by the month's shape"),
    "basis_linear": ("节奏按直线", "Pace on a straight line"),
    "other_linear": ("直线节奏 {p}", "linear {p}"),
    "other_seasonal": ("季节节奏 {p}", "shape {p}"),
    "band": ("月末 80%区间 {lo}–{hi}", "Month end 80% band {lo}–{hi}"),
    "week_same": ("= 与上周同", "= as last week"),
    "week_worse": ("▼ 上周{s}", "▼ from {s}"),
    "week_better": ("▲ 上周{s}", "▲ from {s}"),
    "week_help": ("7 天前（{d}）按同样规则：{s}，节奏 {p}", "7 days earlier ({d}) by the same rules: {s}, pace {p}"),
    "gap_short": ("{metric}缺口 {n}{unit}", "{metric} gap {n}{unit}"),    # the unit: Chinese only ("人")
    "gap_lead": ("{metric}领先 {n}{unit}", "{metric} ahead {n}{unit}"),
    "gap_help": ("实际 − 到今天应完成（{basis}，按整数计）；后面是差得最多的下级、方向相反最多的一个和其他，加起来等于缺口；"
                 "括号里是其中缺口最大的人",
                 "Actual − expected by today ({basis}, in whole units); then the units that account for most of it, "
                 "the largest the other way and the others, adding up to the gap; in brackets the person with the "
                 "largest shortfall inside"),
    "gap_others": ("其他", "others"),
    "gap_ahead": ("超前", "ahead"),
    "gap_behind": ("落后", "behind"),
    "milestone_help": ("里程碑：{by} 前达到 {target}；按时间今天应到 {expected}，节奏 {pace}",
                       "Milestone: {target} by {by}; where time says we should be today: {expected}, pace {pace}"),
    "milestone_need": ("需每月 +{n}", "need +{n}/mo"),
    "revised": ("⚑ 月中改过目标", "⚑ Target changed this month"),
    "revised_item": ("{node} {metric} {old} → {new}（{who}，{at}）", "{node} {metric} {old} → {new} ({who}, {at})"),
    "revised_note": ("本月开始后改过的目标：{items}。", "Targets changed after the month began: {items}."),
    "planned_toggle": ("按月初的目标看", "Read against the 1st's targets"),
    "planned_help": ("打开后，本月开始后改过的目标按 1 日时的数值计算状态和节奏。",
                     "When on, targets changed after the month began count as they stood on the 1st."),
    "planned_line": ("· 按月初目标", "· against the 1st's targets"),
    "war_zones": ("战区", "War zones"),
    "wz_order": ("最落后的在前", "worst first"),
    "stations_short": ("驿站", "Stations"),
    "members_short": ("会员", "Members"),
    "per_day": ("需 {n}/天", "need {n}/day"),
    "n_new_stations": ("{n} 个新驿站", "{n} new stations"),
    "n_new_members": ("{n} 名新会员", "{n} new members"),
    "and": ("和", " and "),
    "unassigned_note": ("另有{what}未分配到任何战区。", "Another {what} are not assigned to any war zone."),
    "unassigned_see": ("查看「{name}」→", "See “{name}” →"),
    "open_zone": ("打开{name}的战区页", "Open the {name} page"),
    "no_zones": ("组织架构里还没有战区：在 org.yaml 的 war_zones 下添加。", "No war zones in the org yet: add them under war_zones in org.yaml."),
    "centers": ("中台关键要务", "Centers' key actions"),
    "no_actions": ("本月没有关键要务", "No key actions this month"),
    "no_centers": ("组织架构里还没有中台：在 org.yaml 的 centers 下添加。", "No centers in the org yet: add them under centers in org.yaml."),
    "center_members": ("渠道会员 {a} / {t}", "members {a} / {t}"),
    "center_members_no_target": ("渠道会员 {a}", "members {a}"),
    "drivers": ("路径指标", "Paths"),
    "drivers_note": ("不是目标 · 本月截至今日，与上月同期比", "not goals · to date vs same days last month"),
    "drivers_note_done": ("不是目标 · 全月，与上月全月比", "not goals · whole month vs last month"),
    "station_masters_recruited": ("招募站长", "Station masters recruited"),
    "orders": ("订单", "Orders"),
    "gmv": ("成交额", "GMV"),
    "active_members": ("活跃会员（30天）", "Active members (30 days)"),
    "vs_last_month": ("较上月 {d}", "{d} vs last month"),
    "no_comparison": ("上月无数据", "no data last month"),
    "chart_title": ("本月累计完成 vs 目标节奏", "This month: cumulative vs pace to target"),
    "chart_pace": ("目标节奏", "Pace to target"),
    "chart_pace_s": ("{what}节奏（季节）", "{what} pace (shape)"),
    "chart_band": ("月末 80%区间", "80% band, month end"),
    "chart_target": ("目标 100%", "Target 100%"),
    "chart_today": ("截至 {d}", "As of {d}"),
    "sample_data": ("示例数据", "Sample data"),
    "sample_help": ("示例公司的数据，日期固定；导入你的数据后这里显示数据的新鲜度。",
                    "The sample company's data, with fixed dates; once you load your own data, its age shows here."),
    "data_days_old": ("✖ 数据已 {n} 天未更新", "✖ Data {n} days old"),
    "chart_no_target": ("{what}本月没有目标，未画出", "{what}: no target, not drawn"),
    "chart_counts": ("本月累计（本月尚无目标）", "This month, cumulative (no targets set)"),
    "tree_failed": ("无法计算目标树：{err}", "The goal tree could not be computed: {err}"),
    "store_broken": ("计划存储文件 {path} 已损坏，无法读取（{err}）。目标、关键动作和打卡都保存在其中：请从备份恢复这个文件，"
                     "或把它移到别处，再运行 python -m pipelines plan import --config <计划文件夹> 从计划文件重新建立。"
                     "数据本身不受影响。",
                     "The plan store {path} cannot be read ({err}). Targets, key actions and check-ins are kept there: "
                     "restore the file from a backup, or move it aside and run python -m pipelines plan import "
                     "--config <plan folder> to start it again from the plan files. The data itself is not affected."),
    "tree_hint": ("请换一个月份或截至日期，或重新构建：`python -m pipelines build`。",
                  "Pick another month or as-of date, or rebuild: `python -m pipelines build`."),
    # the war-zone page
    "page_war_zone": ("战区", "War zone"),
    "page_plan": ("目标分解", "Plan"),
    "zone": ("战区", "War zone"),
    "no_zone": ("组织架构里还没有战区：在 org.yaml 的 war_zones 下添加后重新构建。",
                "No war zones in the org yet: add them under war_zones in org.yaml and build again."),
    "zone_needs": ("完成本月目标，余下 {days} 天每天需新开 {s} 个驿站、新增 {m} 名会员。",
                   "To reach this month's targets: {s} new stations and {m} new members a day for the {days} days left."),
    "zone_needs_done": ("本月已结束。", "The month is over."),
    "behind_most": ("缺口最大：{who}（{team}）{metric} {n}{unit}。", "Largest shortfall: {who} ({team}), {metric} {n}{unit}."),
    "behind_team": ("缺口最大：{who} {metric} {n}{unit}。", "Largest shortfall: {who}, {metric} {n}{unit}."),
    "no_one_behind": ("没有人有缺口。", "Nobody is short of what is due."),
    "daily_title": ("{what}：本月累计 vs 目标节奏", "{what}: this month, cumulative vs pace"),
    "last_month_curve": ("上月（{m}）", "Last month ({m})"),
    "forecast_line": ("预计月末 {n}", "Forecast {n}"),
    "actual_line": ("本月累计", "This month"),
    "target_line": ("目标 {n}", "Target {n}"),
    "teams": ("团队", "Teams"),
    "people": ("人员", "People"),
    "team": ("团队", "Team"),
    "people_of": ("{team} 的成员", "People of {team}"),
    "no_teams": ("这个战区还没有团队。", "This war zone has no teams yet."),
    "no_people": ("这个团队还没有成员。", "This team has no people yet."),
    "table_sort_hint": ("点击列名排序；落后和有风险的行已标红/标黄。", "Click a column to sort; rows behind are tinted red, at risk amber."),
    "col_name": ("名称", "Name"),
    "stations_abbr": ("驿站", "Stn"),
    "members_abbr": ("会员", "Mbr"),
    "col_help": ("{m}：{what}", "{m}: {what}"),
    "col_actual": ("{m}实际", "{m} actual"),
    "col_target": ("{m}目标", "{m} target"),
    "col_pace": ("{m}节奏", "{m} pace"),
    "col_forecast": ("{m}预计", "{m} forecast"),
    "col_required": ("{m}日需", "{m} need/day"),
    "col_mstatus": ("{m}状态", "{m} status"),
    "zone_drivers": ("路径指标（不是目标）", "Paths (not goals)"),
    "zone_drivers_note": ("本月截至今日，与上月同期比", "month to date vs the same days last month"),
    "zone_drivers_note_done": ("全月，与上月全月比", "the whole month vs last month"),
    "signing_conversion": ("签约→开业（90天）", "Signed → opened (90 days)"),
    "signing_conversion_help": ("签约于 91–180 天前的站长中，90 天内开业的比例", "Of the masters signed 91–180 days ago, the share open within 90 days"),
    "days_to_open": ("签约到开业（中位数）", "Signing to opening (median)"),
    "members_per_new_station": ("新站人均会员", "Members per new station"),
    "days_unit": ("{n} 天", "{n} days"),
    "new_stations_table": ("本月新开驿站", "Stations opened this month"),
    "no_new_stations": ("本月到目前还没有新开驿站。", "No station has opened this month so far."),
    "col_station": ("驿站", "Station"),
    "col_station_id": ("编号", "ID"),
    "col_owner": ("开发人", "Owner"),
    "col_city": ("城市", "City"),
    "col_opened": ("开业日期", "Opened on"),
    "col_members_so_far": ("至今会员", "Members so far"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "attainment": ("近 12 个月目标达成", "Last 12 months: target vs actual"),
    "bar_target": ("目标", "Target"),
    "bar_actual": ("实际", "Actual"),
    "no_history": ("还没有往月数据。", "No earlier months in the data yet."),
    "unassigned_zone_note": ("「{name}」汇总了组织架构中找不到归属的数据（见数据页的警告）。",
                             "“{name}” holds data the org does not place (see the warnings on the Data page)."),
    # the Plan page (目标分解)
    "plan_title": ("目标分解", "Plan: targets by month"),
    "plan_month": ("计划月份", "Month to plan"),
    "plan_month_help": ("可以计划数据所在的当月和之后 6 个月。", "Plan the month of the latest data or any of the 6 after it."),
    "plan_intro": ("设置公司目标，再逐级分解到战区、团队、人员；中台承接会员目标。保存后总览和战区页立即使用新目标。",
                   "Set the company's targets, then split them to war zones, teams and people; the centers take the "
                   "member target. Once saved, the board and the war-zone page use the new targets."),
    "plan_empty": ("{month}还没有目标。", "{month} has no targets yet."),
    "plan_start_scratch": ("从空白开始", "Start from scratch"),
    "plan_start_copy": ("复制{month}的目标（{n} 项）", "Copy {month}'s plan ({n} targets)"),
    "plan_copy": ("用{month}的目标替换草稿", "Replace the draft with {month}'s plan"),
    "plan_copy_none": ("{month}没有目标可复制", "{month} has no targets to copy"),
    "plan_discard": ("放弃未保存的修改", "Discard unsaved changes"),
    "plan_status_clean": ("草稿与已保存的目标一致。", "The draft matches the saved targets."),
    "plan_status_changes": ("{n} 项修改未保存", "{n} unsaved changes"),
    "plan_status_unallocated": ("{n} 处分解未对齐", "{n} splits don't add up"),
    "plan_status_refused": ("{n} 个单元格无效", "{n} cells refused"),
    "plan_status_conflicts": ("{n} 处与他人冲突", "{n} in conflict with someone else's"),
    "plan_tab_company": ("公司", "Company"),
    "plan_tab_zones": ("公司 → 战区", "Company → war zones"),
    "plan_tab_teams": ("战区 → 团队", "War zones → teams"),
    "plan_tab_people": ("团队 → 人员", "Teams → people"),
    "plan_tab_centers": ("公司 → 中台", "Company → centers"),
    "plan_company_target": ("公司{m}目标", "Company {m} target"),
    "plan_unit_stations": ("新开驿站数", "new stations"),
    "plan_unit_members": ("新增会员数", "new members"),
    "plan_reference": ("近3月实际 {n}（{start} 至 {end}）· {prev} 目标 {last}",
                       "last 3 months' actual {n} ({start} to {end}) · {prev} target {last}"),
    "plan_suggest_all": ("一键分解到各级", "Split all the way down"),
    "plan_suggest_all_help": ("按近3月各级实际占比，把公司目标逐级分解到战区、团队、人员和中台（替换草稿中的下级目标）。",
                              "Splits the company targets down to war zones, teams, people and centers in proportion "
                              "to each one's actuals over the last 3 months (replaces the lower levels in the draft)."),
    "plan_split_ask": ("草稿里已有 {n} 个下级目标与分解结果不同。一键分解会替换它们。",
                       "The draft already holds {n} lower-level targets that the split would change; it replaces them."),
    "plan_split_yes": ("替换这 {n} 项", "Replace these {n}"),
    "plan_split_no": ("保留我的草稿", "Keep my draft"),
    "plan_split_zeros": ("注意：{n} 项目标被分解为 0（上级目标小于下级数量时取整为 0，或近3月没有实际），0 表示「无目标」：{names}。"
                         "可以在表格中手动调整。",
                         "Note: {n} targets came out as 0 (a parent's target smaller than its number of children rounds "
                         "some shares down to 0, or they had no actuals in the last 3 months); 0 reads as no target: "
                         "{names}. Adjust them in the tables."),
    "plan_suggest": ("按近3月实际建议分配", "Suggest from the last 3 months"),
    "plan_suggest_help": ("按各下级近3月实际占比分配上级目标，取整后合计与上级目标完全一致。",
                          "Splits the parent's target in proportion to each child's actuals over the last 3 months, "
                          "rounded so they add up exactly."),
    "plan_suggest_no_target": ("先设置上级目标，才能建议分配。", "Set the parent's target first to get a suggestion."),
    "plan_alloc": ("{parent} {m}目标 {target} · {kids}合计 {sum} · 未分配 {left}",
                   "{parent} {m} target {target} · {kids} add up to {sum} · unallocated {left}"),
    "plan_alloc_no_target": ("{parent} 没有{m}目标 · {kids}合计 {sum}", "{parent} has no {m} target · {kids} add up to {sum}"),
    "plan_kids_war_zone": ("战区", "war zones"),
    "plan_kids_team": ("团队", "teams"),
    "plan_kids_person": ("人员", "people"),
    "plan_kids_center": ("中台", "centers"),
    "plan_alloc_ok": ("已对齐", "adds up"),
    "plan_alloc_off": ("未对齐", "doesn't add up"),
    "plan_col_target": ("{m}目标", "{m} target"),
    "plan_col_trailing": ("{m}近3月实际", "{m} last 3 months"),
    "plan_col_share": ("{m}占比", "{m} share"),
    "plan_col_unallocated": ("{m}未分配", "{m} unallocated"),
    "plan_col_children": ("{m}下级合计", "{m} children's sum"),
    "plan_edit_hint": ("直接在表格中输入或粘贴数字（可含千分位逗号）；留空表示没有目标。",
                       "Type or paste numbers in the table (thousands commas are fine); leave a cell blank for no target."),
    "plan_pick_zone": ("战区", "War zone"),
    "plan_pick_team": ("团队", "Team"),
    "plan_overview_team": ("各战区分解到团队", "How each war zone splits to its teams"),
    "plan_overview_person": ("各团队分解到人员", "How each team splits to its people"),
    "plan_refused": ("{node} · {m}目标：{why}", "{node} · {m} target: {why}"),
    "plan_not_number": ("“{v}” 不是数字", "'{v}' is not a number"),
    "plan_negative": ("{v} 是负数；目标必须是 ≥ 0 的数量", "{v} is negative; targets are counts ≥ 0"),
    "plan_refused_head": ("以下单元格无效，修正后才能保存：", "These cells are refused; fix them to save:"),
    "plan_who": ("修改人", "Changed by"),
    "plan_saved_title": ("{month}已保存的目标", "Saved targets of {month}"),
    "plan_empty_read_only": ("{month}还没有保存的目标。", "No targets saved for {month} yet."),
    "plan_outside_skipped": ("草稿里有 {n} 项目标不在你的权限内（公司、战区或其他战区的目标），保存时不会写入。",
                             "{n} targets of the draft are outside your scope (the company's, the zones', other "
                             "zones'): saving leaves them as they are."),
    "plan_read_only": ("只读：你的角色（{role}）可以查看目标，不能修改。", "Read only: your role ({role}) sees the targets but cannot change them."),
    "plan_zone_lead": ("你可以修改本战区各团队和个人的目标；公司和战区的目标由计划（总部）设定。",
                       "You set the targets of your zone's teams and people; the company's and the zones' targets are "
                       "set by the planners (HQ)."),
    "plan_who_signed_in": ("修改人：{who}（已登录）", "Changed by: {who} (signed in)"),
    "plan_denied": ("你的角色（{role}）不能修改这些目标（{n} 项）：{what}。可以修改的是本战区团队和个人的目标；其余请联系计划（总部）。",
                    "Your role ({role}) cannot set these targets ({n}): {what}. Zone leads set the targets of their "
                    "zone's teams and people; ask a planner (HQ) for the rest."),
    "plan_who_help": ("保存时记录在变更历史里。", "Recorded in the history with the change."),
    "plan_note": ("备注（可选）", "Note (optional)"),
    "plan_save": ("保存 {month} 的目标", "Save the targets for {month}"),
    "plan_save_need_who": ("填写修改人后才能保存。", "Say who you are to save."),
    "plan_save_nothing": ("没有需要保存的修改。", "Nothing to save: the draft matches the saved targets."),
    "plan_save_unallocated": ("提示：{n} 处分解未对齐，仍可保存（例如总部留有余量）。",
                              "Note: {n} splits don't add up; you can still save (e.g. HQ keeps a reserve)."),
    "plan_saved": ("已保存 {n} 项目标（变更 #{id}，{who}）。总览和战区页已使用新目标。",
                   "Saved {n} targets (change #{id} by {who}). The board and war-zone page now use them."),
    "plan_save_failed": ("保存失败：{err}", "Could not save: {err}"),
    "plan_rebased": ("你打开本月之后，有人保存了 {n} 项你没有改动的目标：已显示为最新保存的值。",
                     "Since you opened this month someone saved {n} targets you had not changed: they show the saved "
                     "values now."),
    "plan_conflict_head": ("{n} 项目标你改了，别人在你打开之后也改了（见下表）。请选择保留谁的值；在此之前不会保存。",
                           "{n} targets you changed were also changed by someone else since you opened them (below). "
                           "Choose whose values to keep; nothing is saved until then."),
    "plan_conflict_theirs": ("保留对方的值（{n} 项）", "Keep theirs ({n})"),
    "plan_conflict_mine": ("用我的值覆盖（{n} 项）", "Overwrite with mine ({n})"),
    "plan_conflict_at_save": ("保存时发现有人刚刚改了同样的目标，什么都没有保存。请看下面的冲突后再保存。",
                              "Someone changed the same targets just before your save; nothing was saved. Look at the "
                              "conflicts below, then save."),
    "plan_col_opened": ("你打开时", "When you opened"),
    "plan_col_theirs": ("现在（对方）", "Now (theirs)"),
    "plan_col_mine": ("你的值", "Yours"),
    "plan_undo": ("撤销一次变更", "Undo a change"),
    "plan_undo_pick": ("要撤销的变更", "The change to undo"),
    "plan_undo_what": ("撤销会恢复这些目标在 #{id} 之前的值（作为一次新的变更保存）：",
                       "Undoing puts back these targets' values from before #{id} (saved as a new change):"),
    "plan_undo_button": ("撤销 #{id}", "Undo #{id}"),
    "plan_undo_done": ("已撤销 #{id}（新变更 #{new}，{who}）。", "Undid #{id} (new change #{new}, {who})."),
    "plan_undo_later": ("不能撤销 #{id}：之后的变更又改了其中的目标（{what}）。请先撤销之后的变更，或直接在上面修改。",
                        "#{id} cannot be undone: a later change set some of its targets again ({what}). Undo the "
                        "later change first, or edit the targets above."),
    "plan_undo_none": ("还没有可以撤销的目标变更。", "No change of targets to undo yet."),
    "plan_col_restored": ("撤销后", "After the undo"),
    "plan_io": ("导入 / 导出 targets.csv", "Import / export targets.csv"),
    "plan_export": ("导出{month}已保存的目标（targets.csv）", "Export {month}'s saved targets (targets.csv)"),
    "plan_export_none": ("{month}还没有已保存的目标可导出。", "{month} has no saved targets to export yet."),
    "plan_import": ("导入 targets.csv（先预览，再保存）", "Import a targets.csv (preview first, then save)"),
    "plan_import_help": ("列：month, level, node_id, metric, target。UTF-8 或 Excel 中文版另存的 CSV 都可以。",
                         "Columns: month, level, node_id, metric, target. UTF-8 or a CSV saved by Chinese Excel."),
    "plan_import_problems": ("文件有 {n} 个问题，没有保存任何内容：", "The file has {n} problems; nothing was saved:"),
    "plan_import_empty": ("文件里没有目标行。", "The file holds no target rows."),
    "plan_import_same": ("文件中的 {n} 项目标与已保存的完全相同，无需保存。",
                         "All {n} targets in the file match the saved ones: nothing to save."),
    "plan_import_preview": ("预览：{n} 项目标将改变（{same} 项不变）。文件中没有的目标保持不变。",
                            "Preview: {n} targets change ({same} unchanged). Targets not in the file stay as they are."),
    "plan_import_save": ("保存导入的 {n} 项目标", "Save the {n} imported targets"),
    "plan_imported": ("已导入 {n} 项目标（变更 {ids}，{who}）。", "Imported {n} targets (change {ids} by {who})."),
    "plan_col_month": ("月份", "Month"),
    "plan_col_level": ("层级", "Level"),
    "plan_col_node": ("对象", "Node"),
    "plan_col_metric": ("指标", "Metric"),
    "plan_col_now": ("当前", "Now"),
    "plan_col_new": ("导入后", "New"),
    "plan_history": ("变更历史", "History"),
    "plan_history_node": ("查看某个对象的目标历史", "A node's target history"),
    "plan_history_none": ("这个对象还没有目标记录。", "No targets recorded for this node yet."),
    "plan_recent": ("最近的变更", "Latest changes"),
    "plan_col_change": ("变更", "Change"),
    "plan_col_who": ("修改人", "By"),
    "plan_col_at": ("时间", "At"),
    "plan_col_source": ("来源", "Source"),
    "plan_col_note": ("说明", "Note"),
    "plan_removed": ("（已删除）", "(removed)"),
    "plan_no_org": ("组织架构里还没有公司和战区：先在 org.yaml 中添加，再重新构建。",
                    "The org has no company and war zones yet: add them to org.yaml and build again."),
    "plan_failed": ("无法读取计划所需的数据：{err}", "The data the plan needs cannot be read: {err}"),
    "level_company": ("公司", "Company"),
    "level_war_zone": ("战区", "War zone"),
    "level_team": ("团队", "Team"),
    "level_person": ("人员", "Person"),
    "level_center": ("中台", "Center"),
    "source_app": ("页面", "app"),
    "source_import": ("配置文件", "config files"),
    "source_cli": ("命令行", "command line"),
    # the Centers page (动作分解)
    "page_centers": ("中台", "Centers"),
    "centers_title": ("中台关键要务", "Centers' key actions"),
    "centers_intro": ("四个中台承诺的关键要务如何支持各战区：状态按数据计算，自评来自负责人的周检查。",
                      "How the centers' key actions back the war zones: status is computed from the data, confidence "
                      "is what each lead declares in the weekly check-in."),
    "alignment": ("对齐：中台 × 战区", "Alignment: centers × war zones"),
    "alignment_note": ("格内为本月服务该战区的关键要务；⚠ 表示自评好于数据。",
                       "Each cell lists this month's actions serving the zone; ⚠ marks a lead declaring better than the numbers."),
    "center": ("中台", "Center"),
    "center_members_col": ("渠道会员 本月 / 目标", "Channel members, month / target"),
    "share_of_target": ("占公司目标 {p}", "{p} of the company target"),
    "status": ("状态", "Status"),
    "no_confidence": ("未自评", "no confidence given"),
    "declared": ("自评", "declared"),
    "mismatch": ("自评好于数据", "declared better than the numbers"),
    "mismatch_help": ("负责人自评比按数据计算的状态乐观", "The lead's declared confidence is better than the computed status"),
    "kr_auto": ("自动", "automatic"),
    "kr_manual": ("手动", "manual"),
    "said_line": ("最近检查 {d} · {who}", "last check-in {d} · {who}"),
    "no_checkin_month": ("本月还没有检查记录", "no check-in this month yet"),
    "ka_owner": ("负责人 {who}", "owner {who}"),
    "ka_supports": ("支持 {what}", "supports {what}"),
    "ka_serves": ("服务 {zones}", "serves {zones}"),
    "all_zones": ("全部战区", "all war zones"),
    "checkin_value": ("检查值", "Value"),
    "no_actions_center": ("{center}本月没有关键要务。", "{center} has no key actions this month."),
    "trend": ("检查趋势", "Check-in trend"),
    "trend_none": ("还没有检查记录。", "No check-ins yet."),
    "ka_opened": ("你打开的关键要务", "The key action you opened"),
    "ka_unknown": ("{month}没有编号为“{id}”的关键要务：下面是本月全部关键要务。",
                   "{month} has no key action “{id}”: all of this month's key actions are below."),
    "zone_unknown": ("组织架构里没有“{id}”：显示的是{name}。", "The org has no “{id}”: showing {name}."),
    "checkin_form": ("记录本周检查", "Record this week's check-in"),
    "checkin_kr": ("关键结果", "Key result"),
    "checkin_date": ("日期", "Date"),
    "checkin_value_manual": ("当前完成值（{unit}）", "Value so far ({unit})"),
    "checkin_value_auto": ("自动关键结果的数值来自数据，无需填写。", "An automatic key result's value comes from the data: nothing to fill in."),
    "checkin_confidence": ("自评", "Confidence"),
    "checkin_comment": ("说明（可选）", "Comment (optional)"),
    "checkin_who": ("记录人", "Recorded by"),
    "checkin_denied": ("你的角色（{role}）不能记录检查：由各中台负责人或管理员记录。",
                       "Your role ({role}) cannot record check-ins: each center's lead or an admin records them."),
    "ka_denied": ("你的角色（{role}）不能修改这个中台的关键要务。", "Your role ({role}) cannot change this center's key actions."),
    "checkin_save": ("保存检查", "Save the check-in"),
    "checkin_saved": ("已记录 {kr} 的检查（{d}，{who}）。已计入{month}：本页和总览的关键要务现在使用它。",
                      "Check-in saved for {kr} ({d}, {who}). It counts in {month}: this page and the board's key "
                      "actions now use it."),
    "checkin_saved_later": ("已记录 {kr} 的检查（{d}，{who}）。它计入{month}，但本页显示的是截至 {as_of} 的情况："
                            "把截至日期改为 {last} 即可看到。",
                            "Check-in saved for {kr} ({d}, {who}). It counts in {month}, but this view is as of "
                            "{as_of}: set the as-of date to {last} to see it."),
    "checkin_need_value": ("手动关键结果需要填写当前完成值。", "A manual key result needs its value so far."),
    "checkin_bad_value": ("“{v}” 不是 ≥ 0 的数字。", "'{v}' is not a number ≥ 0."),
    "checkin_need_who": ("请填写记录人。", "Say who records the check-in."),
    "checkin_need_confidence": ("请选择自评。", "Choose a confidence."),
    "checkin_future": ("检查日期不能晚于今天（{d}）。", "A check-in cannot be dated after today ({d})."),
    "checkin_none": ("本月没有可检查的关键结果。", "No key results to check in on this month."),
    "ka_form": ("新增或编辑关键要务", "Add or edit a key action"),
    "ka_pick": ("关键要务", "Key action"),
    "ka_new": ("＋ 新增关键要务", "+ New key action"),
    "ka_id": ("编号", "ID"),
    "ka_center": ("中台", "Center"),
    "ka_title_zh": ("标题（中文）", "Title (Chinese)"),
    "ka_title_en": ("标题（英文）", "Title (English)"),
    "ka_owner_field": ("负责人", "Owner"),
    "ka_months": ("月份", "Months"),
    "ka_supports_field": ("支持的目标", "Supports"),
    "ka_zones_field": ("服务的战区（不选即全部）", "War zones served (none = all)"),
    "ka_krs": ("关键结果：指标填目录中的指标即为自动，留空则为手动（填单位）；筛选写作 center=community。",
               "Key results: a catalog metric makes it automatic, a blank metric manual (give a unit); filters read "
               "center=community."),
    "kr_col_id": ("编号", "ID"),
    "kr_col_title_zh": ("标题（中文）", "Title (zh)"),
    "kr_col_title_en": ("标题（英文）", "Title (en)"),
    "kr_col_metric": ("指标", "Metric"),
    "kr_col_filters": ("筛选", "Filters"),
    "kr_col_unit_zh": ("单位（中文）", "Unit (zh)"),
    "kr_col_unit_en": ("单位（英文）", "Unit (en)"),
    "kr_col_target": ("目标", "Target"),
    "ka_save": ("保存关键要务", "Save the key action"),
    "ka_saved": ("已保存关键要务 {id}（变更 #{n}，{who}）。", "Key action {id} saved (change #{n} by {who})."),
    "ka_problems": ("有 {n} 个问题，没有保存：", "{n} problems; nothing was saved:"),
    "ka_bad_filter": ("第 {row} 行筛选 “{v}” 应写作 名称=值，例如 center=community", "row {row}: filter '{v}' should read name=value, e.g. center=community"),
    # the Cohorts page
    "page_cohorts": ("同期群", "Cohorts"),
    "cohorts_title": ("会员与驿站同期群", "Member and station cohorts"),
    "cohorts_as_of": ("截至 {d}（数据最后日期）", "as of {d} (the last date in the data)"),
    "cohorts_defs": ("口径说明", "Definitions"),
    "cohorts_defs_text": (
        "- **会员同期群**：某个自然月入会、截至 {d} 未退款的会员。M0 为入会当月。\n"
        "- **第 k 月活跃**：在（入会月 + k）这个自然月至少有一笔已支付订单。"
        "**第 k 月及以后活跃**：第 k 月或之后任一月（至 {d}）有已支付订单。比例的分母是同期群人数。\n"
        "- 晚于 {d} 所在月的月份不存在；{d} 所在月尚未结束，标 *。**加权平均**行按人数加权，只用已完成该月的同期群。\n"
        "- **人均累计成交额（LTV）**：同期群到第 k 月为止的已支付成交额 ÷ 人数。\n"
        "- **驿站同期群**：某个自然月开业的驿站；第 k 月末仍在营的比例（存活率）、至今人均获客、第 k 月人均成交额。",
        "- **Member cohort**: the members who joined in a calendar month and are not refunded as of {d}. M0 is the "
        "joining month.\n"
        "- **Active in month k**: at least one paid order in calendar month (joining month + k). **Active on or after "
        "k**: a paid order in month k or any later month up to {d}. Rates are over the cohort size.\n"
        "- Months after {d}'s month do not exist; {d}'s month is not over and is marked *. The **weighted average** "
        "row is weighted by cohort size and uses only the cohorts that have completed that month.\n"
        "- **LTV**: paid GMV of the cohort up to month k ÷ cohort size.\n"
        "- **Station cohort**: the stations opened in a calendar month; the share still open at the end of month k "
        "(survival), members acquired per station so far, paid GMV per station in month k."),
    "f_war_zone": ("战区", "War zone"),
    "f_team": ("团队", "Team"),
    "f_center": ("中台（渠道）", "Center (channel)"),
    "f_tier": ("会员等级", "Tier"),
    "f_province": ("省份", "Province"),
    "f_range": ("同期群范围", "Cohort range"),
    "f_by": ("分组对比", "Compare groups"),
    "by_none": ("不分组", "No breakdown"),
    "all_values": ("全部", "All"),
    "unknown": ("（未知）", "(unknown)"),
    "all_groups": ("全部", "All"),
    "tab_retention": ("会员留存", "Member retention"),
    "tab_ltv": ("人均累计成交额（LTV）", "Revenue (LTV)"),
    "tab_stations": ("驿站同期群", "Station cohorts"),
    "measure_active": ("第 k 月活跃", "Active in month k"),
    "measure_after": ("第 k 月及以后活跃", "Active on or after k"),
    "unit_rate": ("比例", "Rate"),
    "unit_count": ("人数", "Count"),
    "avg_row": ("加权平均", "Weighted average"),
    "partial_note": ("标 \\* 的格子在 {d} 所在月，这个月尚未结束。", "Cells marked \\* fall in {d}'s month, which is not over yet."),
    "lines_by": ("各组加权平均曲线", "Weighted average curve per group"),
    "over_time": ("M1 与 M3 留存随同期群的变化（仅已完成）", "M1 and M3 retention across cohorts (completed only)"),
    "st_survival": ("存活率（月末仍在营）", "Survival (open at the month's end)"),
    "st_members_per_station": ("每站累计会员", "Members per station so far"),
    "st_gmv_per_station": ("每站当月成交额（元）", "GMV per station in the month (¥)"),
    "age_months": ("开业后第几个月", "Months since opening"),
    "drill": ("查看某个格子背后的会员", "The members behind a cell"),
    "drill_cohort": ("同期群", "Cohort"),
    "drill_index": ("月份", "Month"),
    "drill_count": ("{n} 名会员（手机号已隐藏）", "{n} members (phones masked)"),
    "drill_count_partial": ("{n} 名会员：这里显示按入会日期的前 {limit} 名，下载的 CSV 包含全部 {n} 名（手机号已隐藏）。",
                            "{n} members: the first {limit} by joining date are shown here; the CSV download holds "
                            "all {n} (phones masked)."),
    "download_csv_all": ("下载全部 {n} 名（CSV）", "Download all {n} (CSV)"),
    "drill_none": ("这个格子里没有会员。", "No members in this cell."),
    "drill_show": ("列出这 {n} 名会员", "List these {n} members"),
    "drill_hint": ("打开上面的开关，列出这个格子里的会员（可下载 CSV，手机号已隐藏）。",
                   "Turn on the switch above to list the members in this cell (CSV download, phones masked)."),
    "col_member": ("会员", "Member"),
    "col_joined": ("入会日期", "Joined on"),
    "col_phone": ("手机（已隐藏）", "Phone (masked)"),
    "no_cohorts": ("没有符合筛选条件的同期群：放宽筛选试试。", "No cohorts match the filters: widen them."),
    "cohorts_failed": ("无法读取同期群数据：{err}", "The cohort data cannot be read: {err}"),
    "cohorts_hint": ("这个数据仓库可能建于同期群功能之前：请重新构建 `python -m pipelines build`。",
                     "This warehouse may predate cohorts: rebuild it with `python -m pipelines build`."),
    # the Growth page
    "page_growth": ("网络增长", "Growth"),
    "growth_title": ("驿站与会员的网络增长", "Network growth: stations and members"),
    "growth_defs": ("口径说明", "Definitions"),
    "growth_defs_text": (
        "- **新开 / 关闭 / 净增驿站**：当月开业、当月关闭、两者之差；**在营驿站**：月末（当月为 {d}）仍在营。\n"
        "- **入会 / 退款 / 净增会员**：当月入会（含之后退款的，所以比总览的「新增会员」多：那里只算截至当日未退款的）、当月退款、两者之差；**服务会员**：月末入会且未退款。环比、同比按月末存量计算。\n"
        "- **会员生命周期**（PostHog 口径，按已支付订单）：**新活跃**＝第一次有已支付订单的月份；**持续**＝本月和上月都活跃；"
        "**回流**＝本月活跃、上月没有、更早有过；**沉睡**＝上月活跃、本月没有（画在零线以下）。\n"
        "- **推荐**：当月新会员中有推荐人的比例；**K 因子**＝某月入会的会员（至今）推荐来的会员数 ÷ 该月入会人数；"
        "**人均推荐**＝推荐数 ÷ 有推荐的会员数；**推荐链深度**：没有推荐人的会员为 0，被其推荐的为 1，依此类推。",
        "- **New / closed / net stations**: opened, closed in the month, and the difference; **active stations**: "
        "open at the month's end ({d} in its month).\n"
        "- **Joined / refunded / net members**: joined in the month (including those refunded since, so more than "
        "the board's New members, which counts only those not refunded by the as-of date), refunded in the month, "
        "and the difference; **members served**: "
        "joined and not refunded by the month's end. Month-over-month and year-over-year growth are of these stocks.\n"
        "- **Member lifecycle** (PostHog's definitions, over paid orders): **new** = the first month with a paid "
        "order; **returning** = active this month and last; **resurrecting** = active this month, not last month, "
        "but before; **dormant** = active last month, not this one (drawn below zero).\n"
        "- **Referrals**: the share of the month's new members who have a referrer; the **K-factor** of a joining "
        "month = members referred (so far) by the members who joined that month ÷ how many joined; **per referrer** "
        "= referrals ÷ members who referred anyone; **chain depth**: 0 for a member nobody referred, 1 for one they "
        "referred, and so on."),
    "g_zones": ("战区", "War zones"),
    "g_split": ("按战区分列", "One row per war zone"),
    "g_stations": ("驿站：新开与关闭（净增为线）", "Stations: opened and closed (net as the line)"),
    "g_members": ("会员：入会与退款（净增为线）", "Members: joined and refunded (net as the line)"),
    "g_table": ("每月明细：驿站，然后会员（「统计至」是尚未结束的月份的截止日）",
                "Month by month: stations, then members (“Through” is where a month not over yet stops)"),
    "g_through": ("统计至", "Through"),
    "g_new_stations": ("新开驿站", "New stations"),
    "g_closed_stations": ("关闭驿站", "Closed stations"),
    "g_net_stations": ("净增驿站", "Net stations"),
    "g_active_stations": ("在营驿站", "Active stations"),
    "g_new_members": ("入会会员（含退款）", "Members joined (incl. refunded)"),
    "g_refunded_members": ("退款会员", "Refunded members"),
    "g_net_members": ("净增会员", "Net members"),
    "g_members_served": ("服务会员", "Members served"),
    "g_mom": ("{what}环比", "{what} MoM"),
    "g_yoy": ("{what}同比", "{what} YoY"),
    "life_title": ("会员生命周期（按已支付订单）", "Member lifecycle (paid orders)"),
    "life_new": ("新活跃", "New"),
    "life_returning": ("持续", "Returning"),
    "life_resurrecting": ("回流", "Resurrecting"),
    "life_dormant": ("沉睡", "Dormant"),
    "ref_title": ("推荐网络", "The referral network"),
    "ref_share": ("当月新会员中来自推荐的比例", "Share of new members who came by referral"),
    "ref_k": ("各月入会会员的 K 因子", "K-factor per joining month"),
    "ref_depth": ("推荐链深度分布", "Depth of referral chains"),
    "ref_depth_axis": ("深度", "Depth"),
    "ref_top": ("推荐最多的会员（手机号已隐藏）", "Top referrers (phones masked)"),
    "ref_count": ("推荐人数", "Referrals"),
    "ref_summary": ("全部：K 因子 {k}，人均推荐 {per}（共 {n} 次推荐）", "Overall: K-factor {k}, {per} per referrer ({n} referrals)"),
    "ref_none": ("数据里还没有推荐关系。", "No referrals in the data yet."),
    "growth_failed": ("无法读取增长数据：{err}", "The growth data cannot be read: {err}"),
    # sign-in and rights (ui/auth.py, pipelines/plan/access.py)
    "auth_open": ("开放模式：无需登录，能打开此地址的人都能看到全部数据（access.yaml：auth: open）。",
                  "Open access: no sign-in; anyone who reaches this address sees everything (access.yaml: auth: open)."),
    "auth_open_no_file": ("开放模式：没有 access.yaml，无需登录，能打开此地址的人都能看到全部数据。",
                          "Open access: there is no access.yaml, so no sign-in; anyone who reaches this address sees "
                          "everything."),
    "auth_signed_in": ("已登录：{name}（{id}）· {role}{scope}", "Signed in: {name} ({id}) · {role}{scope}"),
    "auth_scope_zone": (" · {zone}", " · {zone}"),
    "auth_scope_center": (" · {center}", " · {center}"),
    "auth_sign_out": ("退出登录", "Sign out"),
    "auth_title": ("登录", "Sign in"),
    "auth_id": ("账号", "User id"),
    "auth_password": ("密码", "Password"),
    "auth_submit": ("登录", "Sign in"),
    "auth_oidc": ("使用公司账号登录", "Sign in with your company account"),
    "auth_help": ("没有账号或忘了密码，请联系 {admins}。", "No account, or forgot the password? Ask {admins}."),
    "auth_help_oidc": ("登录后仍被拒绝，请联系 {admins} 把你加入 access.yaml。",
                       "Refused after signing in? Ask {admins} to add you to access.yaml."),
    "auth_need_both": ("请填写账号和密码。", "Give both the user id and the password."),
    "auth_wrong": ("账号或密码不对。再错 {left} 次，这个账号将暂时锁定。",
                   "Wrong user id or password. {left} more wrong tries and this id is locked for a while."),
    "auth_locked": ("输错次数太多，这个账号已暂时锁定，请在 {until} 之后再试，或请 {admins} 重置密码。",
                    "Too many wrong tries: this id is locked until {until}. Try again then, or ask {admins} to "
                    "reset the password."),
    "auth_failed": ("暂时无法登录：{err}", "Signing in failed: {err}"),
    "auth_expired": ("登录已超过 {h} 小时，请重新登录。", "Your sign-in is more than {h} hours old: sign in again."),
    "auth_removed": ("你的账号已不在 access.yaml 中，请联系管理员。", "Your id is no longer in access.yaml: ask an admin."),
    "auth_ended": ("你的登录已结束（在别的页面退出了，或密码已被重置），请重新登录。",
                   "Your sign-in has ended (signed out elsewhere, or the password was reset): sign in again."),
    "auth_not_listed": ("{id} 没有 Northstar 的权限。请联系 {admins}，把你加入 access.yaml。",
                        "{id} has no access to Northstar. Ask {admins} to add you to access.yaml."),
    "auth_unverified": ("身份提供方没有确认 {id} 这个邮箱（或手机号）属于你，不能用它登录。请联系 {admins}。",
                        "The identity provider does not vouch that {id} is yours (it is not verified), so it cannot "
                        "sign you in. Ask {admins}."),
    "auth_bound_elsewhere": ("{id} 已绑定到身份提供方的另一个账号，不能从这个账号登录。如果你换了账号，请联系 {admins} 解除绑定。",
                             "{id} is bound to another account at the identity provider and cannot sign in from this "
                             "one. If you moved accounts, ask {admins} to unbind it."),
    "auth_incomplete": ("身份提供方没有给出账号标识（iss / sub），无法登录（{id}）。请联系 {admins}。",
                        "The identity provider did not say which account this is (iss / sub), so {id} cannot sign in. "
                        "Ask {admins}."),
    "access_unreadable": ("无法读取权限配置：{err}", "The access settings cannot be read: {err}"),
    "role_admin": ("管理员", "admin"),
    "role_leader": ("领导", "leader"),
    "role_planner": ("计划（总部）", "planner (HQ)"),
    "role_zone_lead": ("战区负责人", "zone lead"),
    "role_center_lead": ("中台负责人", "center lead"),
    "role_analyst": ("分析师", "analyst"),
    "scope_zone_totals": ("你的权限只包括{mine}的团队、人员和驿站；{zone}在这里只显示合计。",
                          "Your access covers the teams, people and stations of {mine}; {zone} shows its totals only."),
    "scope_no_detail": ("你的角色（{role}）只看各战区合计，不含团队、人员和驿站。",
                        "Your role ({role}) sees each war zone's totals, not its teams, people or stations."),
    "download_xlsx": ("下载目标树 Excel", "Download the goal tree (Excel)"),
    "render_board": ("生成总览图片和 PDF", "Board as picture and PDF"),
    "render_running": ("正在绘制总览（约 10 秒）…", "Drawing the board (about 10 s)…"),
    "render_waiting": ("另一份图片正在绘制，排队中…", "Another picture is being drawn; waiting for it…"),
    "render_done": ("已绘制（{s:.0f} 秒）", "Drawn ({s:.0f} s)"),
    "render_failed": ("总览图片未能生成", "The board's picture was not drawn"),
    "render_failed_why": ("未能生成：{err}。请稍后再试；仍不行请联系管理员。", "Not drawn: {err}. Try again in a minute; if it "
                          "fails again, tell an admin."),
    "download_png": ("图片 PNG", "Picture (PNG)"),
    "download_pdf": ("A4 PDF", "A4 PDF"),
    "xlsx_scope": ("{who} 的视图：各战区合计，团队和个人只含其权限范围。", "As {who} sees it: every zone's totals; teams and people "
                   "within their scope only."),
    "actions_not_yours": ("关键要务由该中台负责人和总部查看。", "Its key actions are for its lead and HQ."),
    "briefs_title": ("简报发送记录", "Briefs sent"),
    "briefs_note": ("最近 {n} 次：晨报、提醒和数据更新失败通知，及各服务的回复", "the latest {n}: morning briefs, alerts and "
                    "failed-refresh lines, with what each service answered"),
    "briefs_none": ("还没有发送过简报。发送：python -m pipelines brief --channel 渠道ID（渠道见 channels.yaml，步骤见 docs/admin-guide.md「The morning brief」）。",
                    "No brief sent yet. Send one: python -m pipelines brief --channel ID (channels in channels.yaml; "
                    "docs/admin-guide.md, 'The morning brief', has the steps)."),
    "briefs_at": ("时间", "When"), "briefs_channel": ("渠道", "Channel"), "briefs_kind": ("类型", "Kind"),
    "briefs_view": ("月份 · 截至", "Month · as of"), "briefs_result": ("结果", "Result"),
    "briefs_detail": ("服务回复", "What the service said"),
    "briefs_brief": ("晨报", "brief"), "briefs_alert": ("提醒", "alert"), "briefs_build_failed": ("更新失败", "refresh failed"),
    "briefs_ok": ("✔ 已送达", "✔ Delivered"), "briefs_failed": ("✖ 未送达", "✖ Not delivered"),
    "pulls_title": ("数据库拉取记录", "Pulls from the database"),
    "pulls_note": ("最近 {n} 次：每张表读到、新增和变更的行数，及下次从哪里读起", "the latest {n}: rows read, new and changed "
                   "per table, and where the next pull starts"),
    "pulls_at": ("时间", "When"), "pulls_table": ("来源.表", "Source.table"), "pulls_read": ("读到", "Read"),
    "pulls_new": ("新增", "New"), "pulls_changed": ("变更", "Changed"), "pulls_next": ("下次读起", "Next pull from"),
    "pulls_everything": ("全部行", "every row"),
    "audit_title": ("审计记录", "Audit"),
    "audit_note": ("最近 {n} 条：登录、目标修改、检查、导出、查看未遮挡的个人数据", "the latest {n}: sign-ins, plan changes, check-ins, exports, unmasked views of personal data"),
    "audit_none": ("还没有记录。", "Nothing recorded yet."),
    "audit_csv": ("下载审计记录 CSV", "Download the audit as CSV"),
    "audit_at": ("时间", "When"),
    "audit_who": ("谁", "Who"),
    "audit_action": ("动作", "Action"),
    "audit_what": ("内容", "What"),
    "audit_rows": ("行数", "Rows"),
    "audit_sign_in": ("登录", "signed in"),
    "audit_sign_in_refused": ("登录被拒", "sign-in refused"),
    "audit_sign_out": ("退出", "signed out"),
    "audit_plan_change": ("修改计划", "plan change"),
    "audit_import": ("导入配置文件", "config import"),
    "audit_checkin": ("记录检查", "check-in"),
    "audit_export": ("导出", "export"),
    "audit_pii_view": ("查看未遮挡的个人数据", "unmasked personal data"),
    "audit_account": ("账号", "account"),
    "audit_upload": ("上传数据", "upload"),
    "audit_upload_check": ("试读上传的数据", "upload checked"),
    "audit_download_refused": ("拒绝下载（不是本人会话）", "download refused (another session)"),
    "load_denied": ("上传和重建数据只限管理员。", "Uploads and rebuilds are for admins only."),
    # the Data page
    "page_data": ("数据", "Data"),
    "data_title": ("数据新鲜度、质量与口径", "Data: freshness, quality and definitions"),
    "data_fresh": ("数据截至 {d}（{n} 天前）", "Data through {d} ({n} days ago)"),
    "data_stale": ("数据已过期：最后日期早于今天 {n} 天以上。请导入新的数据。",
                   "Stale: the last date in the data is more than {n} days before today. Load newer data."),
    "data_fresh_ok": ("数据新鲜", "Fresh"),
    "data_stale_word": ("已过期", "Stale"),
    "data_sample": ("示例公司的数据截至 {d}：日期固定，不会过期。导入你自己的数据后，这里按实际日期判断新鲜度。",
                    "The sample company's data runs to {d}: its dates are fixed, so it never goes stale. Once you "
                    "load your own data, its freshness is judged here."),
    "data_built": ("建库于 {at}，用时 {s:.1f} 秒；截至日 {as_of}；原始数据 {raw}",
                   "Built {at} in {s:.1f} s; as-of {as_of}; raw folder {raw}"),
    "data_files": ("各文件的读取、入库与拒绝", "Rows read, loaded and rejected per file"),
    "data_total": ("合计：读取 {read}，入库 {loaded}，拒绝 {rejected}", "Total: {read} read, {loaded} loaded, {rejected} rejected"),
    "col_table": ("表", "Table"),
    "col_file": ("文件", "File"),
    "col_format": ("格式", "Format"),
    "col_encoding": ("编码", "Encoding"),
    "col_read": ("读取", "Read"),
    "col_loaded": ("入库", "Loaded"),
    "col_rejected": ("拒绝", "Rejected"),
    "col_last_date": ("最后日期", "Last date"),
    "col_note": ("说明", "Note"),
    "data_rejects": ("被拒绝的行（按原因）", "Rejected rows by reason"),
    "data_no_rejects": ("没有被拒绝的行。", "No row was rejected."),
    "col_reason_code": ("原因代码", "Reason code"),
    "col_rows": ("行数", "Rows"),
    "col_example": ("示例说明", "Example"),
    "data_examples": ("示例（每个原因最多 5 行）", "Examples (up to 5 rows per reason)"),
    "col_line": ("行号", "Line"),
    "col_reason": ("原因", "Reason"),
    "col_detail": ("说明（字段与值）", "Detail (field and value)"),
    "load_examples": ("将被拒绝的行（每种原因最多 5 行，手机号已隐藏）", "Rows that would be rejected (up to 5 per reason; phones masked)"),
    "col_raw_row": ("原始行", "Raw row"),
    "data_rejects_csv": ("下载全部被拒绝的行（CSV）", "Download every rejected row (CSV)"),
    "data_warnings": ("组织架构中找不到的值（计入「未归属」）", "Values the org does not know (counted as unassigned)"),
    "data_no_warnings": ("所有战区、团队、负责人和渠道都能在组织架构中找到。", "Every war zone, team, owner and channel is in the org."),
    "data_warnings_fix": ("处理办法：在 org.yaml 中补上这些值后重新构建，或在原始数据中改正。",
                          "What to do: add these values to org.yaml and build again, or correct them in the data."),
    "col_field": ("字段", "Field"),
    "col_value": ("值", "Value"),
    "col_attributed": ("计入", "Counted under"),
    "data_checks": ("数据检验（每次构建都会运行）", "Data tests (every build runs them)"),
    "col_check": ("检验规则", "Rule"),
    "col_result": ("结果", "Result"),
    "col_test": ("检验", "Test"),
    "data_check_ok": ("✔ 通过", "✔ Passed"),
    "data_check_failed": ("✖ {n} 行不符合", "✖ {n} rows break it"),
    "data_checks_help": ("任何一项不通过，构建就会停止，之前的数据仓库继续使用；规则在 pipelines/warehouse/sql/tests/ 中。",
                         "If one fails, the build stops and the previous warehouse keeps serving; the rules are in "
                         "pipelines/warehouse/sql/tests/."),
    "data_checks_none": ("这个数据仓库构建时还没有数据检验：重新构建后会列在这里。",
                         "This warehouse was built before the data tests existed: rebuild it to see them here."),
    "data_catalog": ("指标口径（与计算所用的同一份目录）", "Metric catalog (the one the numbers are computed from)"),
    "col_metric": ("指标", "Metric"),
    "col_code": ("代码", "Code"),
    "col_kind": ("类型", "Kind"),
    "col_unit": ("单位", "Unit"),
    "col_def_zh": ("中文定义", "Definition (Chinese)"),
    "col_def_en": ("英文定义", "Definition (English)"),
    "col_filters": ("可筛选", "Filters"),
    "kind_goal": ("目标", "goal"),
    "kind_path": ("路径", "path"),
    "kind_cohort": ("同期群", "cohort"),
    "col_measure": ("口径", "Measure"),
    "col_better": ("方向", "Better"),
    "measure_flow": ("累计量（按月进度摊）", "flow (pro-rated)"),
    "measure_stock": ("存量（从月初直线到目标）", "stock (path from the 1st)"),
    "measure_share": ("比例（对目标）", "share (vs target)"),
    "measure_median": ("中位数（对目标）", "median (vs target)"),
    "measure_rate": ("比率（对目标）", "rate (vs target)"),
    "better_higher": ("越高越好", "higher"),
    "better_lower": ("越低越好", "lower"),
    "data_sql": ("查看某个指标的 SQL", "A metric's SQL"),
    "data_cohort_defs": ("同期群与增长口径", "Cohort and growth definitions"),
    "data_failed": ("无法读取数据报告：{err}", "The data report cannot be read: {err}"),
    "load_title": ("导入你自己的数据", "Load your own data"),
    "load_help": ("上传一个或多个导出文件（CSV：UTF-8 / 带 BOM / GB18030；XLSX；Parquet；每个不超过 {mb} MB）。"
                  "按文件名（stations… / members… / orders…，或 驿站 / 会员 / 订单）或列名识别是哪张表。"
                  "先出检查报告，确认后才会替换并重建；原文件会备份。",
                  "Upload one or more exports (CSV in UTF-8, with BOM or GB18030; XLSX; Parquet; up to {mb} MB each). "
                  "Each file's table is told from its name (stations… / members… / orders…, or 驿站 / 会员 / 订单) or "
                  "its columns. You see a report first; nothing is replaced until you confirm, and the previous "
                  "files are kept as a backup."),
    "load_files": ("选择文件", "Choose files"),
    "load_checking": ("正在检查（试建一次数据仓库）…", "Checking (a trial build)…"),
    "load_checking_rows": ("正在检查：{name} 已读 {n} 行，用时 {s} 秒…", "Checking: {n} rows of {name} read, {s} s so far…"),
    "load_checking_time": ("正在检查：用时 {s} 秒…", "Checking: {s} s so far…"),
    "load_xlsx_slow": ("Excel 工作簿读得比 CSV 慢得多（40 万行要几分钟）。另存为“CSV UTF-8”后上传，几秒就能检查完。",
                       "An Excel workbook reads far slower than CSV (400,000 rows take minutes): saved as CSV UTF-8 it "
                       "is checked in seconds."),
    "load_too_big": ("{name}：{size:.1f} MB，超过 {mb} MB 的上限。请拆分文件，或调高 NORTHSTAR_MAX_UPLOAD_MB。",
                     "{name}: {size:.1f} MB, over the {mb} MB limit. Split the file, or raise NORTHSTAR_MAX_UPLOAD_MB."),
    "load_problems": ("有 {n} 个问题，没有做任何改动：", "{n} problems; nothing was changed:"),
    "load_detected": ("{name} → {table}（按{how}识别）", "{name} → {table} (told by its {how})"),
    "how_name": ("文件名", "name"),
    "how_columns": ("列名", "columns"),
    "load_report": ("如果导入，这些文件将：", "If imported, these files would:"),
    "load_reasons": ("将被拒绝的行（按原因）", "Rows that would be rejected, by reason"),
    "load_preview": ("预览 {name}（前 5 行）", "Preview of {name} (first 5 rows)"),
    "load_confirm": ("确认导入并重建", "Import and rebuild"),
    "load_shrink": ("注意：导入后会丢失现有数据：{what}。请确认文件和截至日期是否正确。",
                    "Careful: this import would lose data the warehouse has: {what}. Check the files and the as-of date."),
    "load_shrink_ok": ("我确认要替换（数据会变少）", "I confirm: replace it (the data will shrink)"),
    "load_mode": ("导入方式", "How to import"),
    "load_mode_replace": ("替换这些表现有的文件", "Replace these tables' current files"),
    "load_mode_add": ("添加到现有文件旁（同名文件仍会替换）", "Add beside the current files (one of the same name is replaced)"),
    "load_mode_help": ("例如只导入一天的订单：选“添加”，其他日期的订单文件保留。完整的新导出：选“替换”。",
                       "Importing one more day of orders, say: choose Add, and the other days' files stay. A complete "
                       "new export: choose Replace."),
    "load_replaces": ("导入会替换 {n} 个现有文件（移到备份文件夹）：{files}",
                      "The import replaces {n} current files (moved to a backup folder): {files}"),
    "load_keeps": ("保留同一表现有的 {n} 个文件：{files}", "It keeps {n} current files of the same tables: {files}"),
    "load_replaces_none": ("不会替换任何现有文件。", "No current file is replaced."),
    "load_nothing_yet": ("确认之前不会改动任何文件或数据。", "Nothing changes until you confirm."),
    "load_running": ("正在替换文件并重建数据仓库…", "Replacing the files and rebuilding the warehouse…"),
    "load_done": ("导入完成：数据截至 {d}。原文件已备份到 {backup}。", "Imported: data through {d}. The previous files are in {backup}."),
    "load_done_label": ("导入完成（用时 {s:.0f} 秒）", "Imported (took {s:.0f} s)"),
    "load_failed": ("重建失败，已恢复原来的文件，数据保持不变：{err}", "The rebuild failed; the previous files are back and the data is unchanged: {err}"),
}

# Why a row was rejected, by reason code, in words (the detail beside it names the field and the value).
REASONS: dict[str, tuple[str, str]] = {
    "missing_id": ("缺少编号", "Missing id"),
    "duplicate_id": ("编号重复", "Duplicate id"),
    "missing_value": ("缺少必填值", "Missing value"),
    "bad_date": ("日期无法识别", "Not a date"),
    "bad_amount": ("金额无法识别或为负", "Not an amount"),
    "bad_status": ("状态不是 paid / refunded / cancelled", "Unknown status"),
    "bad_row": ("列数与表头不符", "Wrong number of fields"),
    "bad_quote": ("引号不配对", "Unbalanced quote"),
    "bad_encoding": ("文字编码有误", "Unreadable characters"),
    "unknown_station": ("驿站不存在", "Unknown station"),
    "unknown_member": ("会员不存在", "Unknown member"),
    "before_join": ("订单早于入会", "Order before joining"),
    "closed_before_opened": ("关闭早于开业", "Closed before opening"),
    "opened_before_signed": ("开业早于签约", "Opened before signing"),
    "refunded_before_joined": ("退款早于入会", "Refunded before joining"),
    "future_date": ("日期晚于截至日", "Date after the as-of"),
}


# The build's reject details (pipelines/sql, pipelines/warehouse/ingest.py) in Chinese: each English sentence the pipeline
# writes, as a pattern, and its Chinese with the same values. tests/test_data_page.py checks that every sentence
# the SQL can write has one.
_DETAIL_ZH: list[tuple[str, str]] = [
    (r'(\w+) "(.*)" is not a date \(use YYYY-MM-DD\)', "{0}「{1}」不是日期（请用 YYYY-MM-DD）"),
    (r'(\w+) "(.*)" is not a date and time \(use YYYY-MM-DD HH:MM:SS\)', "{0}「{1}」不是日期时间（请用 YYYY-MM-DD HH:MM:SS）"),
    (r"(\w+) (.+) is after the data's as-of date (.+)", "{0} {1} 晚于数据截至日 {2}"),
    (r"closed_on (.+) is set but the station never opened \(opened_on is empty\)",
     "closed_on {0} 已填写，但驿站从未开业（opened_on 为空）"),
    (r"(\w+) (.+) is before (\w+) (.+)", "{0} {1} 早于 {2} {3}"),
    (r"duplicate (\w+) (.+): the first row with this id \((.+) line (\d+)\) was loaded",
     "{0} {1} 重复：已载入第一次出现的行（{2} 第 {3} 行）"),
    (r'(\w+) "(.*)" is negative', "{0}「{1}」是负数"),
    (r'(\w+) "(.*)" has a comma that is not a thousands separator \(write 1234.50 or 1,234.50\)',
     "{0}「{1}」中的逗号不是千分位（请写成 1234.50 或 1,234.50）"),
    (r'(\w+) "(.*)" is more than (.+), the most one (\w+) may be', "{0}「{1}」超过单笔上限 {2}"),
    (r'(\w+) "(.*)" is not a number', "{0}「{1}」不是数字"),
    (r"member (.+) is not among the loaded members \(missing from members, or rejected there\)",
     "会员 {0} 不在已载入的会员中（会员表里没有，或在那里被拒绝）"),
    (r"station (.+) is not among the loaded stations \(missing from stations, or rejected there\)",
     "驿站 {0} 不在已载入的驿站中（驿站表里没有，或在那里被拒绝）"),
    (r"ordered at (.+) but member (.+) joined on (.+)", "下单时间 {0}，但会员 {1} 于 {2} 才入会"),
    (r'status "(.*)" is not one of paid, refunded, cancelled', "status「{0}」不是 paid、refunded、cancelled 之一"),
    (r"amount is 0; an order amount must be greater than 0", "amount 为 0：订单金额必须大于 0"),
    (r"(\w+) is empty", "{0} 为空"),
    (r"row has (\d+) fields but the header has (\d+)", "这一行有 {0} 个字段，表头有 {1} 个"),
    (r"a quote opened on line (\S+) is not closed on that line; the line is rejected and the next lines are read on "
     r"their own", "第 {0} 行的引号没有在本行闭合：这一行被拒绝，后面的行各自读取"),
    (r"a quote in the middle of a field on line (\S+) \(write the field in quotes, a quote inside as two quotes\)",
     "第 {0} 行的字段中间有引号（请把整个字段放在引号里，字段内的引号写成两个）"),
    (r"a field on line (\S+) is longer than (\S+) MB", "第 {0} 行有一个字段超过 {1} MB"),
    (r"line (\S+) has bytes that are not ([\w-]+) text \((.+)\), unlike the rest of the file",
     "第 {0} 行含有不是 {1} 编码的字节（{2}），与文件其余部分不同"),
    (r"line (\S+) was saved as Chinese GB18030 in a UTF-8 file: it reads as (.+) here, as (.+) in GB18030; save the "
     r"whole file as CSV UTF-8", "第 {0} 行是用 GB18030 中文编码保存的，而文件是 UTF-8：这里读成「{1}」，按 GB18030 是「{2}」；"
     "请把整个文件另存为 CSV UTF-8"),
    (r"line (\S+) was saved by a Western program in a Chinese GB18030 file: it reads as (.+) here, as (.+) in Western "
     r"\(cp1252\) text; save the whole file as CSV UTF-8", "第 {0} 行是用西文程序保存的，而文件是 GB18030 中文：这里读成「{1}」，"
     "按西文（cp1252）是「{2}」；请把整个文件另存为 CSV UTF-8"),
]


def reason_text(detail: str | None, lang_code: str | None = None) -> str:
    """A reject's detail (the field and the value at fault) in the reader's language; the pipeline writes it in
    English, with the values, and this gives the Chinese sentence with the same values."""
    return _in_chinese(detail or "", _DETAIL_ZH, lang_code)


def _in_chinese(sentence: str, table: list[tuple[str, str]], lang_code: str | None) -> str:
    """`sentence` (English, with its values) as the Chinese of the first pattern of `table` it matches, on a
    Chinese page; as it is otherwise."""
    if (lang_code or lang()) != "zh":
        return sentence
    for pattern, zh in table:
        m = re.fullmatch(pattern, sentence)
        if m:
            return zh.format(*m.groups())
    return sentence


# The sentences the pipeline stops with about a file (pipelines/warehouse/ingest.py, importer.py, build.py), as patterns, and
# their Chinese with the same values: a Chinese page says what went wrong and what to do in Chinese.
# tests/test_bad_input.py produces each failure and checks its Chinese.
_ERROR_ZH: list[tuple[str, str]] = [
    (r"(.+): line (\d+) has bytes that are not UTF-8 \((.+)\), and the file does not read as Chinese GB18030 "
     r"either .*",
     "{0}：第 {1} 行含有不是 UTF-8 的字节（{2}），整个文件也不能作为中文 GB18030 读取（可能是西欧语言的 Excel 导出）。"
     "为避免乱码，没有载入任何内容。请另存为“CSV UTF-8”（Excel：另存为 → CSV UTF-8）后重试。"),
    (r"(.+): missing required columns? (.+) for table (\w+) \(columns found: (.*)\)\. .*",
     "{0}：{2} 表缺少必需的列 {1}（文件中的列：{3}）。请按 docs/product.md 第 2 节“数据约定”改正列名（名称须完全一致）后重新构建；"
     "之前的数据仓库继续使用。"),
    (r"(.+) \((\w+)\): missing required columns? (.+) \(columns found: (.*)\); .*",
     "{0}（{1}）：缺少必需的列 {2}（文件中的列：{3}）。请按 docs/product.md 第 2 节“数据约定”改正列名后重试。"),
    (r"(.+): the header on line (\d+) cannot be read \((.+)\)\. .*",
     "{0}：第 {1} 行的表头无法读取（{2}）。请修正第一行（用逗号分隔的列名）后重试。"),
    (r"(.+): cannot be opened as an Excel workbook \(an .xlsx file is a zip archive, this one is not\)\. .*",
     "{0}：不是 Excel 工作簿（.xlsx 文件是 zip 压缩包，这个不是）。请在 Excel 中另存为 "
     ".xlsx，或导出为 CSV UTF-8。"),
    (r"(.+): (.+) KB unpacks to (.+) MB \((.+) times; .*",
     "{0}：{1} KB 的文件解压后有 {2} MB（{3} 倍，正常导出为 5 到 20 倍），可能是为拖垮服务器而构造的，因此没有打开。"
     "请在 Excel 中重新保存，或导出为 CSV UTF-8。"),
    (r"(.+): unpacks to (.+) MB, more than the (.+) MB a workbook may .*",
     "{0}：解压后有 {1} MB，超过工作簿的上限 {2} MB（NORTHSTAR_XLSX_MAX_MB）。请改为导出 CSV UTF-8；没有读取任何内容。"),
    (r"(.+): reading the workbook took more than (.+) s and was stopped .*",
     "{0}：读取工作簿超过 {1} 秒，已停止（NORTHSTAR_XLSX_SECONDS）。请导出为 CSV UTF-8，读取会快得多。"),
    (r"(.+): reading the workbook needed more than (.+) MB of memory .*",
     "{0}：读取工作簿需要超过 {1} MB 内存，已停止（NORTHSTAR_XLSX_MEMORY_MB）。请改为导出 CSV UTF-8。"),
    (r"(.+): none of its (.+) rows could be loaded \((.*)\); .*",
     "{0}：{1} 行全部无法载入（{2}）。请按报告中的原因修正文件后重试。"),
    (r"(.+): cannot tell which table it is; .*",
     "{0}：无法判断是哪张表。请把文件命名为 stations…、members…、orders…（或 驿站 / 会员 / 订单），或使用数据约定中的列名。"),
    (r"(.+): not a CSV, XLSX or Parquet file; .*", "{0}：不是 CSV、XLSX 或 Parquet 文件，请把表格导出为其中一种。"),
    (r"(\w+) would shrink from (.+) to (.+) rows", "{0} 会从 {1} 行减少到 {2} 行"),
    (r"(\w+) would be empty \(it has (.+) rows now\)", "{0} 会变成空表（现在有 {1} 行）"),
    (r"(.+) of the (.+) (\w+) rows would be rejected, most as (\w+)", "{2} 的 {1} 行中有 {0} 行会被拒绝，主要原因是 {3}"),
    (r"(.+) of the (.+) (\w+) rows would be rejected", "{2} 的 {1} 行中有 {0} 行会被拒绝"),
    (r"(.+): checking took more than (.+) s and was stopped .*",
     "{0}：检查超过 {1} 秒，已停止（NORTHSTAR_CHECK_SECONDS）。请把导出拆成较小的文件，或用 python -m pipelines import 导入。"),
    (r"another build is writing (.+) \((.+)\); .*",
     "另一个构建正在写入 {0}（{1}）。请等它完成（或停止它）后再试；当前数据仓库继续使用。"),
]


def error_sentence(message: str, lang_code: str | None = None) -> str:
    """A failure's sentence in the reader's language (the pipeline writes it in English, with its values)."""
    return _in_chinese(message.splitlines()[0] if message else "", _ERROR_ZH, lang_code)


def error_text(exc: BaseException, lang_code: str | None = None) -> str:
    """What went wrong, for a page: a failure the product knows in the reader's language, else its sentence (the
    first line; never a traceback)."""
    from pipelines.plan.store import PlanStoreBroken

    if isinstance(exc, PlanStoreBroken):
        return text("store_broken", lang_code or lang()).format(path=exc.path, err=exc.err)
    return error_sentence(str(exc), lang_code) if str(exc) else type(exc).__name__


def reason_word(code: str, lang_code: str | None = None) -> str:
    """'日期无法识别 (bad_date)' / 'Not a date (bad_date)': the code stays, for a search or a ticket."""
    zh, en = REASONS.get(code, (code, code))
    return f"{zh if (lang_code or lang()) == 'zh' else en} ({code})"


# icon, zh, en: a status is never colour alone (the vocabulary: pipelines.okr.status)
STATUS_WORDS: dict[str, tuple[str, str, str]] = {code: (s.icon, s.zh, s.en) for code, s in STATUS.items()}


def lang() -> str:
    return st.session_state.get("lang_code", "zh")


def text(key: str, lang_code: str, **values) -> str:
    """The label `key` in `lang_code`, with `{placeholders}` filled in."""
    zh, en = LABELS[key]
    label = zh if lang_code == "zh" else en
    return label.format(**values) if values else label


def t(key: str, **values) -> str:
    """The label `key` in the session's language."""
    return text(key, lang(), **values)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md(value) -> str:
    """Any text a person or a file supplied (a title, a name, a file name, a cell), made inert for Streamlit's
    Markdown (st.caption, st.success, expander labels…): every Markdown, HTML, LaTeX and directive character is
    escaped and line breaks become spaces, so `![x](http://…)` shows as those characters and fetches nothing."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(value).splitlines()))


def tm(key: str, **values) -> str:
    """`t()` for a Markdown surface: the label's own Markdown stays, the values filled in are made inert (`md`)."""
    return t(key, **{k: v if isinstance(v, (int, float)) else md(v) for k, v in values.items()})


def fmt_count(n: float | None, lang_code: str | None = None) -> str:
    """People-friendly counts: 1.2万 / 1,000万 / 1.20亿 in Chinese, 12.3k / 10M in English (pipelines.okr.fmt)."""
    return fmt.fmt_count(n, lang_code or lang())


def fmt_pair(actual: float | None, target: float | None, lang_code: str | None = None,
             like: tuple[float, float] | None = None) -> tuple[str, str]:
    """An actual and its target written alike, so the figure never contradicts its status (pipelines.okr.fmt)."""
    return fmt.fmt_pair(actual, target, lang_code or lang(), like)


def status_word(status: str, lang_code: str | None = None) -> str:
    """'▲ 有风险' / '▲ At risk'."""
    icon, zh, en = STATUS_WORDS[status]
    return f"{icon} {zh if (lang_code or lang()) == 'zh' else en}"


def fmt_rate(n: float | None, lang_code: str | None = None) -> str:
    """A rate such as 'needed per day': one decimal below 10 (0.8), else like a count."""
    return fmt.fmt_rate(n, lang_code or lang())


fmt_pct = fmt.fmt_pct     # 0.853 → '85%', never rounded onto a mark not reached (no language in it)


def fmt_delta(n: float | None, lang_code: str | None = None) -> str:
    """+9 / −1,200 / +1.2万: a signed change."""
    return fmt.fmt_delta(n, lang_code or lang())


def fmt_money(n: float | None, lang_code: str | None = None) -> str:
    """Yuan: ¥1,234 / ¥12.3万 / ¥1.20亿; English ¥12.3k / ¥1.20M."""
    return fmt.fmt_money(n, lang_code or lang())


COMPANY_TZ = fmt.COMPANY_TZ


def fmt_list(items, lang_code: str | None = None) -> str:
    """Names in a sentence: 华东战区、华南战区 / East Zone, South Zone."""
    return ("、" if (lang_code or lang()) == "zh" else ", ").join(items)


def fmt_time(when: dt.datetime | str | None, lang_code: str | None = None, tz: str | None = None) -> str:
    """A moment in the company's time zone, to the minute: '2026-11-30 05:12 北京时间' (pipelines.okr.fmt.fmt_time)."""
    return fmt.fmt_time(when, lang_code or lang(), tz)


def fmt_date(d: dt.date, lang_code: str | None = None) -> str:
    """A date with its weekday, in the reader's language: '2026-11-24 周二' / 'Tue 2026-11-24'."""
    return fmt.fmt_date(d, lang_code or lang())


def fmt_day(d: dt.date, lang_code: str | None = None) -> str:
    """A day without its year: '11月24日' / 'Nov 24'."""
    return fmt.fmt_day(d, lang_code or lang())


def fmt_month(month: str, lang_code: str | None = None) -> str:
    """'2026-11' → '2026年11月' / 'Nov 2026'."""
    return fmt.fmt_month(month, lang_code or lang())
