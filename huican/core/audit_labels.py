"""The audit log in Chinese: a label per action code, per object type and per detail key.

The log itself keeps stable English codes (``registry.reveal``, ``export.findings``): they are what
filters, the API and the hash chain hold. What a person reads is the Chinese label; an action that
has none yet is named by its area (``待遇：其他操作``), never by the code, and a detail is shown as
``键：值`` lines (never a Python dict), with Chinese keys and values where known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.apps import apps

ACTION_LABELS: dict[str, str] = {
    # accounts, login, keys
    "accounts.bootstrap": "创建初始管理员",
    "accounts.user_create": "创建账户",
    "accounts.enable": "启用或停用账户",
    "accounts.unlock": "解除账户锁定",
    "accounts.password_set": "管理员设置密码",
    "accounts.password_change": "修改本人密码",
    "accounts.grant_request": "提出授权申请",
    "accounts.grant_approve": "批准授权申请",
    "accounts.grant_reject": "驳回授权申请",
    "accounts.full_id_revoke": "收回查看完整身份证号权限",
    "api_token_create": "创建接口令牌",
    "api_token_revoke": "吊销接口令牌",
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "login.locked": "账户已锁定时尝试登录",
    "login.lockout": "账户因多次失败被锁定",
    "login.ip_throttled": "来源地址登录过于频繁被限制",
    "logout": "退出登录",
    "logout.idle": "长时间未操作自动退出",
    "access.denied": "访问被拒绝",
    "keys.rotate": "轮换数据密钥",
    "keys.rehash": "重算检索索引",
    # audit
    "audit.view": "查看审计日志",
    "audit.verify": "校验审计日志",
    "audit.seal": "封存审计日志",
    "audit.checkpoint": "审计日志检查点",
    "audit.checkpoint_reset": "重置审计日志检查点",
    # registry
    "registry.search": "检索人员",
    "registry.person_view": "查看人员详情",
    "registry.reveal": "查看完整身份证号",
    "registry.person_create": "新增人员",
    "registry.person_correct": "更正个人信息",
    "registry.person_household": "更正户籍信息",
    "registry.person_certificate": "证件变更",
    "registry.document_attach": "上传人员材料",
    "registry.document_view": "查看人员材料",
    # imports and files
    "import.upload": "上传导入文件",
    "import.confirm": "确认导入",
    "import.refused": "导入文件被拒绝",
    "import.shrink_refused": "名单条数骤减，导入被拒绝",
    "import.preview_full_ids": "预览含完整身份证号",
    "import.rejects_download": "下载被拒绝的行",
    "import.done": "导入完成",
    "import.unchanged": "导入文件与已导入的相同",
    "import.all_rejected": "导入的全部行被拒绝",
    "import.failed": "导入失败",
    "uploads.purge": "删除超过保存期限的文件",
    # findings
    "finding.list": "查看比对发现清单",
    "finding.view": "查看比对发现",
    "finding.update": "跟进比对发现",
    "finding.deadlines": "查看办理期限",
    "findings.run": "发起比对",
    "export.findings": "导出比对发现",
    "export.download": "下载导出文件",
    "inbox.contact_view": "查看联系电话（我的待办）",
    # standards, monitoring
    "policy.standard_create": "新增保障标准",
    "policy.what_if": "测算标准调整影响",
    "monitoring.report": "生成监测报告",
    "monitoring.report_download": "下载监测报告",
    "monitoring.report_publish": "发布监测报告",
    "monitoring.indicator_persons": "查看指标涉及人员",
    "monitoring.task_progress": "填报任务进展",
    "monitoring.gdp_growth": "填报经济增长数据",
    "monitoring.narrative_save": "编辑报告内容",
    "monitoring.narrative_restore": "恢复报告内容的旧版本",
    "monitoring.project_figure": "录入专栏项目完成数据",
    # benefits
    "benefits.application_create": "新建待遇申请",
    "benefits.application_pass": "审核通过待遇申请",
    "benefits.application_return": "退回待遇申请",
    "benefits.application_reject": "驳回待遇申请",
    "benefits.application_withdraw": "撤回待遇申请",
    "benefits.application_resubmit": "重新提交待遇申请",
    "benefits.application_view": "查看待遇申请",
    "benefits.document_attach": "上传申请材料",
    "benefits.document_download": "下载申请材料",
    "benefits.choice_record": "记录待遇选择",
    "benefits.entitlement_stop": "停发待遇",
    "benefits.roll_approve": "审批发放名册",
    "benefits.roll_draft_read": "读取发放名册草稿",
    "benefits.roll_read": "读取发放名册",
    "benefits.recheck_run": "发起待遇复核",
    "benefits.recheck_item_update": "处理复核事项",
    "benefits.rejection_notice": "出具不予受理通知",
    "benefits.public_notice_export": "导出公示名单",
    "benefits.step_limits": "设置审批时限",
    "benefits.calendar_day": "调整工作日历",
    "export.roll_xlsx": "导出发放名册",
    "export.roll_bank": "导出银行代发文件",
    # care
    "care.assignment_add": "指派服务",
    "care.assignment_remove": "取消服务指派",
    "care.renovation_photo": "上传改造照片",
    "care.renovation_photo_view": "查看改造照片",
    "care.service_result": "记录服务结果",
    "care.device_stage": "记录辅具适配进度",
    "care.placement_end": "结束托养服务",
    # portal: citizens' sign-in and 我的 (the actor is a masked name such as 群众:张*明)
    "portal.signin_code": "群众登录：发送验证码",
    "portal.signin_no_match": "群众登录：身份信息不符（未发送验证码）",
    "portal.signin_failed": "群众登录：验证码错误",
    "portal.signin_locked": "群众登录：锁定期间尝试登录",
    "portal.lockout": "群众登录：错误次数过多，暂停登录",
    "portal.signin": "群众登录",
    "portal.purge": "删除过期的登录验证码和未提交的申请材料",
    "portal.agent_signin": "代办人登录",
    "portal.signout": "群众退出登录",
    "portal.signout_idle": "群众长时间未操作，自动退出",
    "portal.signout_revoked": "代办授权撤销或过期，代办人被退出",
    "portal.agent_view": "代办人查看“我的”",
    "portal.rejection_notice": "群众下载不予批准通知书",
    "portal.authorisation_record": "登记网上代办人",
    "portal.authorisation_revoke": "撤销网上代办人",
    "portal.request_create": "登记群众诉求",
    "portal.request_lookup": "记录来电时查找来电人",
    "portal.request_accept": "受理群众诉求",
    "portal.request_route": "转办群众诉求",
    "portal.request_reply": "答复群众诉求",
    "portal.request_close": "办结群众诉求",
    "portal.request_rate": "群众评价诉求答复",
    "portal.request_phone": "查看诉求联系电话",
}

AREA_LABELS: dict[str, str] = {
    "accounts": "账户",
    "api_token": "接口令牌",
    "login": "登录",
    "logout": "退出登录",
    "access": "访问控制",
    "keys": "密钥",
    "audit": "审计日志",
    "registry": "人员名册",
    "import": "数据导入",
    "uploads": "上传文件",
    "finding": "比对发现",
    "findings": "比对",
    "export": "导出",
    "inbox": "我的待办",
    "policy": "保障标准",
    "monitoring": "监测",
    "benefits": "待遇",
    "care": "服务",
    "cli": "命令行",
    "portal": "残疾人服务网站",
}

OBJECT_LABELS: dict[str, str] = {
    "Finding": "比对发现",
    "FindingRun": "比对",
    "Job": "后台任务",
    "ApiToken": "接口令牌",
    "GdpGrowth": "经济增长数据",
    "PublishedReport": "已发布的报告",
    "TaskProgress": "任务进展",
    "ReportNarrative": "报告内容",
    "ProjectFigure": "专栏项目数据",
    "cli": "命令行",
    "http": "网页请求",
    "import": "导入",
    "upload": "上传文件",
}

DETAIL_KEYS: dict[str, str] = {
    "via": "途径",
    "filters": "筛选条件",
    "results": "结果条数",
    "rows": "条数",
    "page": "页码",
    "full_id_numbers": "完整身份证号",
    "file": "文件",
    "run": "比对序号",
    "mode": "比对方式",
    "on": "日期",
    "date": "日期",
    "code": "发现类型",
    "status": "状态",
    "kind": "类别",
    "region": "区划",
    "year": "年度",
    "month": "月份",
    "end_month": "截止月份",
    "query": "检索词",
    "q": "检索词",
    "username": "用户名",
    "name": "名称",
    "role": "角色",
    "before": "修改前",
    "after": "修改后",
    "change": "变更记录",
    "reason": "理由",
    "note": "说明",
    "size": "大小（字节）",
    "type": "类型",
    "format": "格式",
    "final": "终期评估",
    "current": "按当前数据",
    "document": "材料",
    "photo": "照片",
    "person": "人员",
    "person_id": "人员",
    "persons": "人数",
    "indicator": "指标",
    "benefit": "待遇",
    "entitlements": "待遇条数",
    "items": "事项数",
    "fields": "字段",
    "field": "字段",
    "columns": "列",
    "value": "数值",
    "source": "来源",
    "side": "方向",
    "prefix": "区划范围",
    "organisation": "机构",
    "path": "地址",
    "method": "请求方式",
    "part": "部分",
    "limits": "时限",
    "stage": "进度",
    "period_end": "结束日期",
    "chosen": "选择",
    "is_workday": "工作日",
    "known_user": "已知用户",
    "failed_logins": "连续失败次数",
    "locked_until": "锁定至",
    "idle_seconds": "未操作秒数",
    "key_version": "密钥版本",
    "rehashed": "已重算条数",
    "re_encrypted": "已重新加密条数",
    "intact": "完整",
    "checked": "已校验条数",
    "first_broken": "首个异常序号",
    "previous_sequence": "上一检查点序号",
    "previous_written_at": "上一检查点时间",
    "created": "新建",
    "demo": "演示数据",
    "folders": "文件夹数",
    "files": "文件数",
    "bytes": "字节数",
    "temporary": "临时文件夹数",
    "older_than_days": "保存期限（天）",
    "exports": "导出文件数",
    "assignee": "指派给",
    "filters_used": "筛选条件",
}

VIA_LABELS = {"web": "网页", "api": "接口", "cli": "命令行"}
# Values named by higher apps (label_values): detail key → value → Chinese.
_VALUE_LABELS: dict[str, dict[str, str]] = {}
# Personal fields named in a detail's "fields" (what was revealed or changed).
FIELD_LABELS = {
    "id_number": "公民身份号码",
    "phone": "联系电话",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "category": "残疾类别",
    "grade": "残疾等级",
    "issue_date": "发证日期",
    "expiry_date": "有效期至",
    "region": "所在区划",
    "region_id": "所在区划",
    "urban_rural": "城乡",
    "household_number": "户编号",
    "relation": "与户主关系",
    "status": "证件状态",
    "status_date": "状态变更日期",
}
# The work list's filter words (huican.matching.forms OPEN_FILTER, UNASSIGNED).
FILTER_VALUES = {("status", "open"): "未办结", ("assignee", "none"): "未指派"}


def action_label(code: str) -> str:
    """The Chinese name of an audit action; an unknown one by its area, never the code itself."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    area = code.split(".", 1)[0]
    if area == "cli":
        return f"命令行操作（{code.partition('.')[2]}）"
    return f"{AREA_LABELS.get(area, '其他')}：其他操作"


def object_label(object_type: str) -> str:
    """The Chinese name of an audited object type (``registry.Person`` → 人员)."""
    if object_type in OBJECT_LABELS:
        return OBJECT_LABELS[object_type]
    app_label, _, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name) if model_name else None
    except (LookupError, ValueError):
        model = None
    return str(model._meta.verbose_name) if model is not None else object_type


def label_values(key: str, labels: Mapping[str, Any]) -> None:
    """A higher app names the values of a detail key in its ``AppConfig.ready()`` (``code`` → the
    findings' Chinese names, ``kind`` → the import kinds' titles): core imports no other app."""
    _VALUE_LABELS.setdefault(key, {}).update({str(k): str(v) for k, v in labels.items()})


def _value_text(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        names = FIELD_LABELS if key in ("before", "after") else DETAIL_KEYS
        return (
            "；".join(f"{names.get(k, DETAIL_KEYS.get(k, k))}：{_value_text(k, v)}" for k, v in value.items())
            or "—"
        )
    if isinstance(value, list | tuple):
        return "、".join(_value_text(key, v) for v in value) or "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if key in ("fields", "field"):
        return _field_label(text)
    if text in _VALUE_LABELS.get(key, {}):
        return _VALUE_LABELS[key][text]
    if key == "via":
        return VIA_LABELS.get(text, text)
    if (key, text) in FILTER_VALUES:
        return FILTER_VALUES[(key, text)]
    return text


def _field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def detail_lines(detail: Any) -> list[tuple[str, str]]:
    """An entry's detail as (键, 值) pairs in Chinese where known; a non-dict detail is one line."""
    if not detail:
        return []
    if not isinstance(detail, dict):
        return [("详情", _value_text("", detail))]
    return [
        (DETAIL_KEYS.get(str(key), str(key)), _value_text(str(key), value)) for key, value in detail.items()
    ]
