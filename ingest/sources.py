"""The source contract (../shared/contract/sources.md) as data.

Readers, validation, the raw-table DDL, the expectation suites, the docs and the demo
generator all read this one registry; nothing re-types a source's columns elsewhere.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

from ingest.seeds import read_seed

# Column kinds. Each kind has one parser in SQL (ingest/validate.py) and one DuckDB type.
TEXT = "text"
INT = "int"
DECIMAL = "decimal"
BOOL = "bool"
TIMESTAMP = "timestamp"
DATE = "date"
RESIDENT_ID = "resident_id"  # GB 11643, 18 chars, checksum
CREDIT_CODE = "credit_code"  # GB 32100, 18 chars, checksum
PARTY_ID = "party_id"  # resident ID or credit code, chosen by the row's applicant_type
RATING = "rating"  # 1..5 or the Chinese label

DUCKDB_TYPES = {
    TEXT: "VARCHAR",
    INT: "BIGINT",
    DECIMAL: "DECIMAL(18,2)",
    BOOL: "BOOLEAN",
    TIMESTAMP: "TIMESTAMP",  # China local time (Asia/Shanghai), offsets converted
    DATE: "DATE",
    RESIDENT_ID: "VARCHAR",
    CREDIT_CODE: "VARCHAR",
    PARTY_ID: "VARCHAR",
    RATING: "INTEGER",
}



@cache
def rating_labels() -> dict[str, int]:
    """The Chinese labels a rating may arrive as (reference data: seeds/rating_labels.csv;
    read on first use, not at import)."""
    return {r["label"]: int(r["rating"]) for r in read_seed("rating_labels")}


# A PARTY_ID column is a resident ID or a credit code, chosen by this column of the row.
PARTY_TYPE_COLUMN = "applicant_type"
PARTY_TYPES = {"自然人": RESIDENT_ID, "法人": CREDIT_CODE}

# Kinds whose values are identifiers: all white space removed, upper-cased.
IDENTIFIER_KINDS = (RESIDENT_ID, CREDIT_CODE, PARTY_ID)

# Lineage columns every raw table carries after the canonical ones.
LINEAGE_COLUMNS = {
    "_batch_id": "VARCHAR",
    "_file_name": "VARCHAR",
    "_line": "BIGINT",
    "_loaded_at": "TIMESTAMP",
    "_extra": "VARCHAR",  # JSON object of columns the contract does not name, or null
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] | None = None  # closed set of accepted values, if any
    personal: bool = False  # never reaches the marts in clear text
    meaning: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    title_zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # business key: a repeated key in a later export is a new version
    version_column: str | None = None  # None: the later file by name wins
    family: str = "reference"
    extra_checks: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]


def C(name, kind=TEXT, required=False, aliases=(), values=None, personal=False, meaning=""):
    return Column(name, kind, required, tuple(aliases), tuple(values) if values else None,
                  personal, meaning)


CASE_STATUSES = ("已申请", "已受理", "办理中", "已办结", "不予受理", "退件", "撤回")
EVENT_TYPES = ("SUBMIT", "CORRECTION_NOTICE", "CORRECTION_RECEIVED", "ACCEPT", "REFUSE",
               "SUSPEND_START", "SUSPEND_END", "EXTEND", "DECIDE", "COMPLETE", "RETURN",
               "WITHDRAW")


@cache
def lawful_procedures() -> tuple[str, ...]:
    """The lawful reasons to stop the clock (rules.md, lawful suspension; Administrative
    Licensing Law art. 45): reference data in seeds/lawful_procedure_types.csv, which the
    dbt models ref() too (read on first use, not at import). Any other procedure_type is
    still accepted in raw: an unlawful suspension is what T04 looks for."""
    return tuple(r["procedure_type"] for r in read_seed("lawful_procedure_types"))


_SOURCES: list[Source] = [
    # --- reference -------------------------------------------------------------------
    Source("departments", "部门", (
        C("dept_code", required=True, aliases=("部门编码", "单位编码")),
        C("dept_name", required=True, aliases=("部门名称", "单位名称")),
        C("parent_code", aliases=("上级部门编码",)),
        C("region_code", aliases=("行政区划代码",)),
    ), key=("dept_code",)),
    Source("items", "事项目录", (
        C("item_code", required=True, aliases=("事项编码", "实施编码")),
        C("item_name", required=True, aliases=("事项名称",)),
        C("dept_code", required=True, aliases=("部门编码", "实施主体编码")),
        C("item_type", required=True, aliases=("办件类型",), values=("即办件", "承诺件")),
        C("statutory_limit_days", INT, True, ("法定办结时限",)),
        C("promised_limit_days", INT, True, ("承诺办结时限",)),
        C("limit_unit", aliases=("时限单位",), values=("工作日", "自然日")),
        C("legal_basis", aliases=("设定依据",)),
        C("fee", DECIMAL, aliases=("收费标准",)),
    ), key=("item_code",), extra_checks=("promised_within_statutory",)),
    Source("staff", "工作人员", (
        C("staff_id", required=True, aliases=("工号", "人员编号")),
        C("staff_name", required=True, aliases=("姓名",), personal=True),
        C("id_number", RESIDENT_ID, True, ("身份证号",), personal=True),
        C("dept_code", required=True, aliases=("部门编码",)),
        C("post", aliases=("岗位",)),
        C("is_official", BOOL, aliases=("是否公职人员",)),
    ), key=("staff_id",)),
    Source("windows", "服务窗口", (
        C("window_id", required=True, aliases=("窗口编号",)),
        C("hall_name", required=True, aliases=("大厅名称",)),
        C("dept_code", required=True, aliases=("部门编码",)),
        C("street", aliases=("所属镇街",)),
    ), key=("window_id",)),
    Source("calendar_overrides", "节假日调整", (
        C("day", DATE, True, ("日期",)),
        C("is_workday", BOOL, True, ("是否工作日",)),
        C("note", aliases=("说明",)),
    ), key=("day",)),
    # --- case handling ---------------------------------------------------------------
    Source("cases", "办件信息", (
        C("case_id", required=True, aliases=("办件编号", "申报号")),
        C("item_code", required=True, aliases=("事项编码",)),
        C("dept_code", required=True, aliases=("部门编码",)),
        C("window_id", aliases=("窗口编号",)),
        C("channel", required=True, aliases=("申报渠道",), values=("线上", "线下")),
        C("applicant_type", required=True, aliases=("申请人类型",), values=("自然人", "法人")),
        C("applicant_id", PARTY_ID, True, ("申请人证件号码",), personal=True),
        C("applicant_name", required=True, aliases=("申请人名称",), personal=True),
        C("applicant_phone", aliases=("联系电话",), personal=True),
        C("agent_id", CREDIT_CODE, aliases=("代办机构代码",)),
        C("agent_name", aliases=("代办机构名称",)),
        C("submitted_at", TIMESTAMP, True, ("申请时间", "提交时间")),
        C("accepted_at", TIMESTAMP, aliases=("受理时间",)),
        C("handler_staff_id", aliases=("受理人工号", "经办人")),
        C("approver_staff_id", aliases=("审批人工号",)),
        C("status", required=True, aliases=("办件状态",), values=CASE_STATUSES),
        C("result", aliases=("办理结果",), values=("准予", "不予")),
        C("completed_at", TIMESTAMP, aliases=("办结时间",)),
        C("promised_limit_days", INT, aliases=("承诺时限",)),
        C("updated_at", TIMESTAMP, True, ("更新时间",)),
    ), key=("case_id",), version_column="updated_at", family="case"),
    Source("case_events", "办件过程", (
        C("case_id", required=True, aliases=("办件编号",)),
        C("seq", INT, True, ("环节序号",)),
        C("event_type", required=True, aliases=("环节类型",), values=EVENT_TYPES),
        C("event_at", TIMESTAMP, True, ("发生时间",)),
        C("staff_id", aliases=("操作人工号",)),
        C("procedure_type", aliases=("特别程序种类",)),
        C("note", aliases=("说明",)),
    ), key=("case_id", "seq"), family="case"),
    Source("reviews", "好差评", (
        C("review_id", required=True, aliases=("评价编号",)),
        C("case_id", aliases=("办件编号",)),
        C("window_id", aliases=("窗口编号",)),
        C("staff_id", aliases=("被评价人工号",)),
        C("rating", RATING, True, ("评价等级",)),
        C("reviewed_at", TIMESTAMP, True, ("评价时间",)),
        C("reviewer_phone", aliases=("评价人电话",), personal=True),
        C("device_id", aliases=("评价终端",)),
        C("comment", aliases=("评价内容",)),
        C("rectified_at", TIMESTAMP, aliases=("整改时间",)),
        C("reply", aliases=("整改反馈",)),
    ), key=("review_id",), family="service"),
    # --- citizen channels ------------------------------------------------------------
    Source("hotline_tickets", "12345工单", (
        C("ticket_id", required=True, aliases=("工单编号",)),
        C("created_at", TIMESTAMP, True, ("受理时间",)),
        C("category", required=True, aliases=("诉求类别",)),
        C("dept_code", required=True, aliases=("承办部门编码",)),
        C("caller_phone", aliases=("来电号码",), personal=True),
        C("address", aliases=("事发地址",), personal=True),
        C("subject", aliases=("诉求主题",)),
        C("deadline_at", TIMESTAMP, True, ("办理时限",)),
        C("responded_at", TIMESTAMP, aliases=("首次响应时间",)),
        C("closed_at", TIMESTAMP, aliases=("办结时间",)),
        C("satisfaction", INT, aliases=("回访满意度",)),
    ), key=("ticket_id",), family="service"),
    Source("qr_feedback", "码上监督", (
        C("feedback_id", required=True, aliases=("反馈编号",)),
        C("window_id", required=True, aliases=("窗口编号",)),
        C("submitted_at", TIMESTAMP, True, ("提交时间",)),
        C("category", required=True, aliases=("问题类型",)),
        C("content", aliases=("反馈内容",)),
        C("contact_phone", aliases=("联系电话",), personal=True),
        C("handled_at", TIMESTAMP, aliases=("处理时间",)),
        C("result", aliases=("处理结果",)),
    ), key=("feedback_id",), family="service"),
    # --- integrity -------------------------------------------------------------------
    Source("enterprises", "企业登记", (
        C("uscc", CREDIT_CODE, True, ("统一社会信用代码",)),
        C("name", required=True, aliases=("企业名称",)),
        C("legal_rep_id", RESIDENT_ID, True, ("法定代表人证件号",), personal=True),
        C("registered_at", DATE, True, ("成立日期",)),
        C("contact_phone", aliases=("联系电话",), personal=True),
    ), key=("uscc",), family="integrity"),
    Source("enterprise_persons", "股东及主要人员", (
        C("uscc", CREDIT_CODE, True, ("统一社会信用代码",)),
        C("person_id", RESIDENT_ID, True, ("证件号码",), personal=True),
        C("role", required=True, aliases=("职务/身份", "职务", "身份"),
          values=("股东", "法定代表人", "监事", "高管", "实际控制人")),
        C("share_ratio", DECIMAL, aliases=("持股比例",)),
    ), key=("uscc", "person_id", "role"), family="integrity"),
    Source("staff_relatives", "干部家庭成员", (
        C("staff_id", required=True, aliases=("工号",)),
        C("relative_id", RESIDENT_ID, True, ("亲属证件号码",), personal=True),
        C("relation", required=True, aliases=("关系",),
          values=("配偶", "子女", "父母", "兄弟姐妹", "其他")),
    ), key=("staff_id", "relative_id"), family="integrity"),
    # tenders ... key_projects: the compact tables of sources.md mark no column required.
    # Required here: the keys, and the columns without which a rule would misjudge the row
    # or could not place it (docs/contract-questions.md, "required columns").
    Source("tenders", "招标项目", (
        C("tender_id", required=True, aliases=("项目编号",)),
        C("buyer_dept_code", required=True, aliases=("招标人部门编码",)),
        C("project_name", aliases=("项目名称",)),
        C("procedure_type", required=True, aliases=("招标方式",),
          values=("公开招标", "邀请招标", "竞争性谈判", "询价", "单一来源", "直接发包")),
        C("ceiling_price", DECIMAL, aliases=("最高限价",)),
        C("estimated_value", DECIMAL, aliases=("预算金额",)),
        C("published_at", TIMESTAMP, aliases=("公告发布时间",)),
        C("bid_deadline_at", TIMESTAMP, aliases=("投标截止时间",)),
        C("is_key_project", BOOL, aliases=("是否重点项目",)),
    ), key=("tender_id",), family="integrity"),
    Source("bids", "投标", (
        C("tender_id", required=True, aliases=("项目编号",)),
        C("bidder_uscc", CREDIT_CODE, True, ("投标人信用代码",)),
        C("bid_price", DECIMAL, aliases=("投标报价",)),
        C("submitted_at", TIMESTAMP, aliases=("递交时间",)),
        C("file_ip", aliases=("投标文件IP",)),
        C("file_mac", aliases=("投标文件MAC",)),
        C("file_creator_id", aliases=("编制机器码",)),
        C("contact_phone", aliases=("联系电话",), personal=True),
    ), key=("tender_id", "bidder_uscc"), family="integrity"),
    Source("awards", "中标", (
        C("tender_id", required=True, aliases=("项目编号",)),
        C("winner_uscc", CREDIT_CODE, True, ("中标人信用代码",)),
        C("award_price", DECIMAL, aliases=("中标金额",)),
        C("awarded_at", TIMESTAMP, aliases=("中标时间",)),
        C("contract_signed_at", TIMESTAMP, aliases=("合同签订时间",)),
    ), key=("tender_id",), family="integrity"),
    Source("subsidy_programs", "补贴项目", (
        C("program_code", required=True, aliases=("项目编码",)),
        # not required (the compact tables name none): only L03's evidence shows the name
        C("program_name", aliases=("项目名称",)),
        C("max_amount_per_period", DECIMAL, aliases=("每期发放标准上限",)),
        C("period", aliases=("发放周期",), values=("月", "季", "年")),
    ), key=("program_code",), family="integrity"),
    Source("subsidy_payments", "补贴发放", (
        C("payment_id", required=True, aliases=("发放编号",)),
        C("program_code", required=True, aliases=("项目编码",)),
        C("recipient_id", RESIDENT_ID, True, ("领取人证件号",), personal=True),
        C("recipient_name", aliases=("领取人姓名",), personal=True),
        C("village", aliases=("村/社区", "村社区")),
        C("bank_account", aliases=("收款账号",), personal=True),
        C("amount", DECIMAL, True, ("发放金额",)),
        C("period_label", required=True, aliases=("发放期间",)),
        C("paid_at", TIMESTAMP, True, ("发放时间",)),
        C("handled_by_staff_id", aliases=("经办人工号",)),
    ), key=("payment_id",), family="integrity"),
    Source("deaths", "死亡注销", (
        C("person_id", RESIDENT_ID, True, ("证件号码",), personal=True),
        C("death_date", DATE, True, ("死亡日期",)),
        C("registered_at", TIMESTAMP, aliases=("注销时间",)),
    ), key=("person_id",), family="integrity"),
    Source("reception_expenses", "公务接待", (
        C("expense_id", required=True, aliases=("报销单号",)),
        C("dept_code", required=True, aliases=("部门编码",)),
        C("occurred_on", DATE, True, ("接待日期",)),
        C("amount", DECIMAL, True, ("金额",)),
        C("guests", INT, True, ("接待人数",)),
        C("companions", INT, aliases=("陪餐人数",)),
        C("venue_type", aliases=("场所类型",),
          values=("机关食堂", "定点饭店", "高档餐饮", "娱乐场所", "其他")),
        C("invoice_no", aliases=("发票号",)),
        C("approved_by_staff_id", aliases=("审批人工号",)),
    ), key=("expense_id",), family="integrity"),
    Source("key_projects", "重点项目", (
        C("project_id", required=True, aliases=("项目编号",)),
        C("project_name", aliases=("项目名称",)),
        C("dept_code", required=True, aliases=("责任部门",)),
        C("milestone", required=True, aliases=("节点名称",)),
        # not required: K01 and its coverage count a milestone without a plan as not
        # evaluable (missing_planned_on) instead of losing the row
        C("planned_on", DATE, aliases=("计划完成日期",)),
        C("completed_on", DATE, aliases=("实际完成日期",)),
    ), key=("project_id", "milestone"), family="integrity"),
]

SOURCES: dict[str, Source] = {s.name: s for s in _SOURCES}


def normalize_header(text: str) -> str:
    """Header matching ignores surrounding white space and full-/half-width differences."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def header_lookup(source: Source) -> dict[str, str]:
    """Normalised header (canonical name or any Chinese alias) -> canonical name."""
    lookup: dict[str, str] = {}
    for col in source.columns:
        for label in (col.name, *col.aliases):
            lookup[normalize_header(label)] = col.name
    return lookup


def raw_table_ddl(source: Source, schema: str = "raw") -> str:
    cols = [f'"{c.name}" {DUCKDB_TYPES[c.kind]}' for c in source.columns]
    cols += [f"{name} {typ}" for name, typ in LINEAGE_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {schema}.{source.name} (\n  " + ",\n  ".join(cols) + "\n)"
