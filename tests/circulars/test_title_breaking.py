"""Titles break between words, in a balanced shape (GB/T 9704-2012 7.3.1: 词意完整、排列对称、
梯形或菱形): never inside a word of jieba or of the platform's dictionary, no line shorter than
60 % of the longest, no hourglass; and the PDF carries the lines so broken."""

import re
import subprocess
import sys
import tempfile
from html import unescape
from pathlib import Path

import pytest

from coordination.mechanisms.measure_notices.demo import NOTICES
from notices.circulars.document import TITLE_SIZE, TYPE_WIDTH
from notices.circulars.rendering import render_circular
from notices.circulars.samples import HEALTH_CODE_TITLE, health_code_document
from notices.circulars.typesetting import (
    NOT_END,
    NOT_START,
    break_title,
    title_is_balanced,
    title_phrases,
    title_segmenter,
    title_segments,
    title_words,
)

MAX_CHARS = int(TYPE_WIDTH // TITLE_SIZE)  # 20 characters of 2号 a line

DEMO_TITLES = [HEALTH_CODE_TITLE, *(notice[3] for notice in NOTICES)]

# Titles in the style of the three provinces' and one city's circulars of 2020.
GOVERNMENT_TITLES = [
    "关于做好长三角区域疫情防控物资互助调配工作的通知",
    "长三角区域合作办公室关于建立重大措施相互通报制度的通知",
    "长三角区域合作办公室关于进一步做好跨省市通勤人员健康码互认和企业复工复产人员返岗保障工作的通知",
    "上海市医疗保险事业管理中心关于做好长三角区域异地就医直接结算备案工作的通知",
    "关于建立长三角区域密切接触者信息快速协查机制的通知",
    "关于印发《长三角区域重要防疫物资互济互帮工作方案》的通知",
    "关于启动应对长三角公共安全事件和应急管理机制的通知",
    "关于进一步加强长三角区域省际道口联合查验工作的通知",
    "关于做好春节期间返乡返岗人员健康管理服务工作的通知",
    "关于统一长三角区域货运车辆通行证办理流程的通知",
    "关于加强进口冷链食品疫情防控联防联控工作的通知",
    "关于做好企业复工复产复市用工招工协调协作的通知",
    "江苏省新冠肺炎疫情防控工作领导小组关于调整省际通行管控措施的通告",
    "关于开展长三角区域疫苗接种信息互认共享工作的通知",
    "关于建立长三角区域重大项目协同推进工作机制的意见",
    "关于做好中高风险地区来长三角人员健康管理工作的通知",
    "浙江省卫生健康委员会关于转发国家卫生健康委密切接触者判定与管理指南的通知",
    "关于做好危重病人跨省会诊和医疗诊治方案共享工作的通知",
    "长三角区域合作办公室关于召开长三角区域联防联控第三次联席会议的通知",
    "关于公布长三角区域疫情防控工作联系人名单的通知",
    "关于做好疑似病例和确诊病例密切接触者信息快速沟通工作的通知",
    "安徽省交通运输厅关于保障防疫物资和生活必需品运输车辆通行的紧急通知",
    "关于进一步规范长三角区域集中隔离医学观察点管理的通知",
    "上海市卫生健康委员会江苏省卫生健康委员会浙江省卫生健康委员会安徽省卫生健康委员会"
    "关于联合开展流行病学调查协查工作的通知",
    "关于在长三角区域推行“一网通办”健康码申领服务的通知",
    "关于做好长三角区域常态化疫情防控下重大活动举办工作的指导意见",
    "关于印发长三角区域联防联控工作机制实施方案的通知",
    "关于表扬长三角区域疫情防控工作先进集体和先进个人的通报",
    "关于加快推进长三角区域高质量发展一体化示范区建设的意见",
    "关于做好2026年春运期间长三角区域疫情防控工作的通知",
    "上海市长三角联防联控联络办公室关于协助核查返沪复工人员健康状况的函",
    "关于长三角区域核酸检测结果互认的通知",
]


def cuts_of(lines: list[str]) -> list[int]:
    cuts, position = [], 0
    for line in lines[:-1]:
        position += len(line)
        cuts.append(position)
    return cuts


def word_boundaries(title: str) -> set[int]:
    """Where the segmenter's words of the title end."""
    boundaries, position = set(), 0
    for word in title_segments(title):
        position += len(word)
        boundaries.add(position)
    return boundaries


def inside_dictionary_words(title: str) -> set[int]:
    inside = set()
    for word in title_words():
        for match in re.finditer(re.escape(word), title):
            inside.update(range(match.start() + 1, match.end()))
    return inside


def assert_broken_well(title: str, lines: list[str]) -> None:
    assert "".join(lines) == title
    assert all(len(line) <= MAX_CHARS for line in lines), lines
    for cut in cuts_of(lines):
        assert cut in word_boundaries(title), (title[:cut], title[cut:])
        assert cut not in inside_dictionary_words(title), (title[:cut], title[cut:])
    for line in lines:
        assert line[0] not in NOT_START and line[-1] not in NOT_END, lines
    if len(lines) > 1:
        assert title_is_balanced(lines), lines


@pytest.mark.parametrize("title", DEMO_TITLES)
def test_the_demos_titles_break_between_words_in_a_balanced_shape(title):
    assert_broken_well(title, break_title(title, MAX_CHARS))


@pytest.mark.parametrize("title", GOVERNMENT_TITLES)
def test_government_titles_break_between_words_in_a_balanced_shape(title):
    assert_broken_well(title, break_title(title, MAX_CHARS))


def test_there_are_thirty_government_titles_of_more_than_one_line():
    assert sum(len(break_title(title, MAX_CHARS)) > 1 for title in GOVERNMENT_TITLES) >= 30


def test_the_issues_mid_word_breaks_are_gone():
    assert break_title("关于长三角地区健康码互认通用、有序放宽省际通行管控的通知", MAX_CHARS) == [
        "关于长三角地区健康码互认通用、",
        "有序放宽省际通行管控的通知",
    ]
    lines = break_title("江苏省关于省际道口实行联合查验、结果互认的通告", MAX_CHARS)
    assert not any(line.endswith("实") for line in lines) and "实行" in "".join(lines)


def test_an_organisations_name_stays_on_one_line():
    lines = break_title("上海市医疗保险事业管理中心关于做好长三角区域异地就医直接结算备案工作的通知", MAX_CHARS)
    assert any("上海市医疗保险事业管理中心" in line for line in lines), lines


def test_a_mechanisms_name_breaks_only_at_its_spaces_and_only_when_the_title_needs_it():
    name = "应对长三角公共安全事件和应急管理"
    assert name in title_phrases()
    kept = break_title(f"长三角区域合作办公室关于{name}的通知", MAX_CHARS)
    assert kept == ["长三角区域合作办公室关于", f"{name}的通知"]  # balanced with the name whole
    lines = break_title(f"关于启动{name}机制的通知", MAX_CHARS)
    assert title_is_balanced(lines)
    assert cuts_of(lines)[0] - len("关于启动") in title_phrases()[name]


def test_explicit_line_breaks_are_kept_and_a_short_title_stays_on_one_line():
    assert break_title("关于做好\n复工复产的通知", MAX_CHARS) == ["关于做好", "复工复产的通知"]
    assert break_title("关于复工复产的通知", MAX_CHARS) == ["关于复工复产的通知"]


def test_the_dictionary_holds_the_platforms_organisations_mechanisms_and_terms():
    words = set(title_words())
    for word in ("上海市医疗保险事业管理中心", "长三角区域合作办公室", "健康码", "联防联控", "互认通用", "有序放宽"):
        assert word in words
    for word in ("复工复产", "密切接触者", "协查", "通行证", "重大项目", "协同推进"):
        assert word in words
    assert title_segments("关于长三角地区健康码互认通用的通知")[:4] == ["关于", "长三角地区", "健康码", "互认通用"]


def test_jieba_is_set_up_once_a_process_with_its_cache_in_a_private_temp_dir():
    segmenter = title_segmenter()
    assert title_segmenter() is segmenter
    cache = Path(segmenter.tmp_dir)
    assert cache.is_relative_to(tempfile.gettempdir()) and cache.stat().st_mode & 0o077 == 0


def test_jieba_says_nothing_when_it_starts():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings'; django.setup(); "
        "from notices.circulars.typesetting import break_title; "
        "print(break_title('关于做好长三角区域疫情防控物资互助调配工作的通知', 20))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert result.stderr == "" and "物资互助调配工作的通知" in result.stdout


LINE = re.compile(r"<line [^>]*>(.*?)</line>", re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def test_the_pdf_carries_the_title_in_the_lines_it_was_broken_into(tmp_path):
    document = health_code_document(pages=1)
    document.title = "长三角区域合作办公室关于进一步做好跨省市通勤人员健康码互认和企业复工复产人员返岗保障工作的通知"
    expected = break_title(document.title, MAX_CHARS)
    assert len(expected) == 3
    path = tmp_path / "title.pdf"
    path.write_bytes(render_circular(document).pdf)
    layout = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = []
    for line in LINE.findall(layout):
        words = [(float(x0), float(x1), unescape(text)) for x0, _y0, x1, _y1, text in WORD.findall(line)]
        lines.append(("".join(text for _x0, _x1, text in words), words))
    texts = [text for text, _words in lines]
    start = texts.index(expected[0])
    assert texts[start : start + len(expected)] == expected
    # Each line centred on the type area (28 mm from the left edge, 156 mm wide).
    mm = 72 / 25.4
    for _text, words in lines[start : start + len(expected)]:
        centre = (words[0][0] + words[-1][1]) / 2
        assert centre == pytest.approx((28 + 78) * mm, abs=2)
