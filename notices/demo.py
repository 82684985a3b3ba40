"""Demo circulars of the 2020 story, seeded by `seed_demo` after the mechanisms' demos.

The Regional Cooperation Office issues in the joint name of the four regions (联合行文); the
office heads sign off what their liaison officers drafted with the demo notices, so those
circulars are numbered and issued; one new draft waits in Shanghai's head's sign-off queue.
The Anhui emergency (M7) went out at once and still waits for its sign-off (补签).
"""

from django.contrib.auth import get_user_model

from coordination.models import Organisation
from notices.circulars.numbering import issuing_body_for
from notices.circulars.services import circular_draft_create, circular_sign_off, circular_submit
from notices.models import Circular

# The liaison office's signer (office head), or the Office's leader.
SIGNERS = {"sh-liaison": "sh-head", "js-liaison": "js-head", "zj-liaison": "zj-head", "ah-liaison": "ah-head"}
OFFICE_SIGNER = "yrd-leader"

WAITING_DRAFT = {
    "title": "关于做好来沪货运车辆驾驶人员健康管理服务保障的通知",
    "body": (
        "为保障长三角区域防疫物资和生活必需品运输畅通，现就来沪货运车辆驾驶人员健康管理通知如下：\n"
        "一、持长三角地区健康码绿码、体温正常的货运驾驶人员，查验后即予通行，不再实施居家健康观察。\n"
        "二、各区在高速公路服务区设置驾驶人员休息和健康服务点，提供测温、饮水和餐食。\n"
        "三、请江苏省、浙江省、安徽省联络办公室将本地货运企业白名单于每日17时前报送我办。"
    ),
}


def seed() -> None:
    User = get_user_model()
    office = Organisation.objects.filter(kind=Organisation.Kind.COOPERATION_OFFICE).first()
    if office is not None:
        liaison_offices = Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE).order_by("region_id")
        issuing_body_for(office).joint_issuers.set(liaison_offices)
    for circular in Circular.objects.filter(status=Circular.Status.AWAITING_SIGN_OFF).select_related("issuer"):
        if circular.title == WAITING_DRAFT["title"]:
            continue
        signer = SIGNERS.get(circular.issuer.code, OFFICE_SIGNER if circular.issuer == office else None)
        if signer is None:
            continue
        circular_sign_off(by=User.objects.get(username=signer), circular_id=circular.pk, comment="同意。")
    if not Circular.objects.filter(title=WAITING_DRAFT["title"]).exists():
        drafter = User.objects.get(username="sh-liaison")
        addressees = Organisation.objects.filter(code__in=["js-liaison", "zj-liaison", "ah-liaison"])
        draft = circular_draft_create(
            by=drafter,
            addressees=list(addressees.order_by("region_id")),
            copy_to=office.name_zh if office else "",
            **WAITING_DRAFT,
        )
        circular_submit(by=drafter, circular_id=draft.pk)
