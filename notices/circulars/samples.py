"""A realistic circular of the 2020 story, for the benchmark, the layout tests and the demo."""

from datetime import date
from pathlib import Path

TEXTS = Path(__file__).resolve().parent / "sample_texts"

HEALTH_CODE_TITLE = "关于长三角地区健康码互认通用的通知"
HEALTH_CODE_ADDRESSEES = "上海市、江苏省、浙江省、安徽省疫情防控工作领导小组办公室"

HEALTH_CODE_BODY = (TEXTS / "health-code-body.txt").read_text(encoding="utf-8").strip()

# More sections for the five-page benchmark circular.
EXTRA_SECTIONS = (TEXTS / "health-code-more-sections.txt").read_text(encoding="utf-8").strip()

HEALTH_CODE_ATTACHMENTS = ["长三角地区健康码数据交换规范", "长三角地区健康码互认通用工作联系人名单"]
SAMPLE_VERIFICATION_CODE = "7K3Q-9XWD-2M4P"  # made up: the platform gives each circular its own

# 联合行文: the four health commissions issuing one circular.
JOINT_ORGANS = ["上海市卫生健康委员会", "江苏省卫生健康委员会", "浙江省卫生健康委员会", "安徽省卫生健康委员会"]


def health_code_document(
    *,
    pages: int = 3,
    verify_url: str = "http://127.0.0.1:8000/circulars/verify/0/",
    verification_code: str = "",
):
    """沪苏浙皖联防〔2026〕3号 as a CircularDocument: its first paragraph only (pages=1), the
    notice itself (4 pages) or with more sections (pages=5); with a verification code
    (SAMPLE_VERIFICATION_CODE, say) printed beside its QR code if given."""
    from notices.circulars.document import CircularDocument
    from notices.models.circulars import format_chinese_date

    if pages <= 1:
        body = HEALTH_CODE_BODY.split("\n")[0]
    elif pages < 5:
        body = HEALTH_CODE_BODY
    else:
        body = HEALTH_CODE_BODY.replace("执行中遇到的问题", EXTRA_SECTIONS + "\n执行中遇到的问题")
    return CircularDocument(
        issuer_mark="长三角区域合作办公室",
        document_number="沪苏浙皖联防〔2026〕3号",
        title=HEALTH_CODE_TITLE,
        addressee_line=HEALTH_CODE_ADDRESSEES,
        body=body,
        attachments=HEALTH_CODE_ATTACHMENTS,
        signature="长三角区域合作办公室",
        signed_on=format_chinese_date(date(2026, 3, 10)),
        note="此件公开发布",
        copy_to="国家卫生健康委，国家发展改革委，三省一市人民政府办公厅、卫生健康委、大数据管理局",
        printed_by="长三角区域合作办公室",
        printed_on=format_chinese_date(date(2026, 3, 10)),
        verify_url=verify_url,
        verification_code=verification_code,
    )


def joint_health_code_document(*, organs: list[str] = JOINT_ORGANS, pages: int = 1, **options):
    """The health code circular issued jointly (联合行文) by `organs`, the first the lead one."""
    options.setdefault("verification_code", SAMPLE_VERIFICATION_CODE)
    document = health_code_document(pages=pages, **options)
    document.issuer_marks = list(organs)
    document.signatures = list(organs)
    document.signature = "、".join(organs)
    document.document_number = "沪卫联发〔2026〕1号"
    document.printed_by = organs[0]
    return document
