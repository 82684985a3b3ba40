"""A circular as a document to typeset: its parts in GB/T 9704-2012 order, the text each font
role draws (for the missing-glyph check) and the template context at a tightening level.

Kept apart from the model so the benchmark and the layout tests can typeset a circular
without a database.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from notices.circulars.typesetting import Paragraph, Run, Typesetter, body_runs, break_title, style_lines

MM = 72 / 25.4  # pt per mm
TYPE_WIDTH = 156 * MM
TYPE_HEIGHT = 225 * MM
GRID_CHARS = 28
GRID_LINES = 22
BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
RECORD_SIZE = 14.0  # 4号
CELL = TYPE_WIDTH / GRID_CHARS
MARK_MAX_SIZE = 42.0
TITLE_LEADING = 1.5
JOINT_MARK_LEADING = 1.2
JOINT_MARK_MAX_HEIGHT = 60 * MM  # the stacked organs of a joint mark
SEAL = 42 * MM  # a round seal's diameter (GB/T 9704-2012 7.3.5.1 figures)
SEAL_RAISE = 1 * MM  # the signature and date sit below the seal's centre (居中偏下)
SEAL_ROW_LINES = 5  # lines from one row of joint signatures to the next: seals never touch
SEAL_OVERLAP = 1.5 * MM  # how far a seal may reach into the line above (not its characters)

# Tightening levels tried in turn when the signature would stand alone on a page (the
# standard forbids "此页无正文"): extra lines per page, and whether the blank line before the
# signature stays. The last level carries the body's last two lines over with the closing.
TIGHTEN_LEVELS = [
    {"extra_lines": 0, "blank_before_signature": True, "carry_lines": 0},
    {"extra_lines": 0, "blank_before_signature": False, "carry_lines": 0},
    {"extra_lines": 1, "blank_before_signature": False, "carry_lines": 0},
    {"extra_lines": 2, "blank_before_signature": False, "carry_lines": 0},
    {"extra_lines": 0, "blank_before_signature": True, "carry_lines": 2},
]

# The standard's own words and marks. Kept apart so a document set in another script (the
# benchmark's Latin twin) can replace them; they are not part of the content digest.
CHINESE_LABELS = {
    "attachments": "附件：",
    "number": "{n}．",
    "copy_to": "抄送：",
    "printed": "印发",
    "note": "（{note}）",
    "colon": "：",
    "full_stop": "。",
    "verification": "核验码：{code}",
    "joint_mark": "文件",
    "draft_number": "（草稿）",
    "watermark": "草稿",
    "watermark_latin": "DRAFT",
}


# Where the 版记 goes (rendering.py): at the foot of the text's last page; alone on the next
# page; or after a blank page, the two without page numbers (GB/T 9704-2012 7.5), so that
# the document always ends on an even page (封四).
RECORD_WITH_TEXT = "with-text"
RECORD_NEXT_PAGE = "next-page"
RECORD_AFTER_BLANK = "after-blank"


def pt(value: float) -> str:
    return f"{value:.3f}pt"


@dataclass
class CircularDocument:
    issuer_mark: str
    document_number: str
    title: str
    addressee_line: str
    body: str
    signature: str
    signed_on: str  # 2026年3月10日
    printed_by: str
    printed_on: str
    attachments: list[str] = field(default_factory=list)
    note: str = ""
    copy_to: str = ""
    verify_url: str = ""  # printed as a QR code; not part of the digest
    # 联合行文: the organs' marks, stacked in the head, and their signatures (empty: the
    # single issuer_mark and signature).
    issuer_marks: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    verification_code: str = ""  # printed beside the QR code, e.g. 7K3Q-9XWD-2M4P; not part of the digest
    draft: bool = False  # watermarked 草稿 / DRAFT, without QR code, verification code or seals
    labels: dict = field(default_factory=lambda: dict(CHINESE_LABELS))

    @classmethod
    def from_circular(cls, circular, *, verify_url: str = "") -> "CircularDocument":
        return cls(
            issuer_mark=circular.issuer_mark,
            document_number=circular.document_number or "",
            title=circular.title,
            addressee_line=circular.addressee_line,
            body=circular.body,
            signature=circular.signature,
            signed_on=circular.signed_on_display,
            printed_by=circular.printed_by,
            printed_on=circular.printed_on_display,
            attachments=list(circular.attachments or []),
            note=circular.note,
            copy_to=circular.copy_to,
            verify_url=verify_url,
            # Read whether or not the model has these fields yet.
            issuer_marks=list(getattr(circular, "issuer_marks", None) or []),
            signatures=list(getattr(circular, "signatures", None) or []),
            verification_code=getattr(circular, "verification_code", None) or "",
        )

    def content_digest(self) -> str:
        """SHA-256 of what the document says (canonical JSON), kept with the circular; the
        PDF's own SHA-256 cannot be printed inside it. How it is printed (QR code, code,
        draft) is not part of it, nor are the joint parts of a single issuer's circular, so
        the digests of circulars issued before them stay as they were."""
        content = asdict(self)
        for key in ("verify_url", "labels", "verification_code", "draft"):
            content.pop(key)
        for key in ("issuer_marks", "signatures"):
            if not content[key]:
                content.pop(key)
        canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    # --- parts --------------------------------------------------------------------------------

    def label(self, key: str) -> str:
        return self.labels.get(key, CHINESE_LABELS[key])

    def marks(self) -> list[str]:
        """The organs in the head: several for a joint document (联合行文)."""
        marks = [mark.strip() for mark in self.issuer_marks if mark.strip()]
        return marks or [self.issuer_mark]

    @property
    def is_joint(self) -> bool:
        return len(self.marks()) > 1

    def joint_mark_names(self) -> list[str]:
        """A joint head's organs without a 文件 of their own: it is set once, to their right."""
        suffix = self.label("joint_mark")
        return [mark.removesuffix(suffix) if mark != suffix else mark for mark in self.marks()]

    def signers(self) -> list[str]:
        """The organs signing it (发文机关署名), in order: several for a joint document."""
        names = [name.strip() for name in self.signatures if name.strip()]
        return names or [self.signature]

    def number_text(self) -> str:
        if self.document_number:
            return self.document_number
        return self.label("draft_number") if self.draft else ""

    def verification_text(self) -> str:
        """核验码：7K3Q-9XWD-2M4P (the code grouped by four when given bare); none in a draft."""
        code = self.verification_code.strip()
        if self.draft or not code:
            return ""
        if "-" not in code:
            code = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
        return self.label("verification").format(code=code)

    def body_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.replace("\r\n", "\n").split("\n") if line.strip()]

    def addressees_text(self) -> str:
        text = self.addressee_line.strip().rstrip(":：")
        return f"{text}{self.labels['colon']}" if text else ""

    def copy_to_text(self) -> str:
        text = self.copy_to.strip().rstrip("。.，,")
        return f"{text}{self.labels['full_stop']}" if text else ""

    def notes(self) -> list[str]:
        """附注: the issuer's own note, in parentheses."""
        note = self.note.strip()
        if not note:
            return []
        return [note if note.startswith(("（", "(")) else self.labels["note"].format(note=note)]

    def attachment_lines(self) -> list[str]:
        names = [name.strip().rstrip("。.") for name in self.attachments if name.strip()]
        if len(names) == 1:
            return [self.labels["attachments"] + names[0]]
        return [
            (self.labels["attachments"] if n == 1 else "") + self.labels["number"].format(n=n) + name
            for n, name in enumerate(names, 1)
        ]

    def texts_by_role(self) -> dict[str, str]:
        """Every character of the document, by the font role that draws it."""
        marks = "".join(self.marks()) + (self.label("joint_mark") if self.is_joint else "")
        texts = {"xbs": marks + self.title, "song": "— 0123456789 —", "kai": "", "hei": ""}
        if self.draft:
            texts["hei"] += self.label("watermark") + self.label("watermark_latin")
        fangsong = [self.number_text(), self.addressees_text(), *self.signers(), self.signed_on]
        if self.verification_text():
            fangsong.append(self.verification_text())
        for paragraph in self.body_paragraphs():
            runs, _kind = body_runs(paragraph)
            for run in runs:
                if run.role == "fangsong":
                    fangsong.append(run.text)
                else:
                    texts[run.role] += run.text
        fangsong += self.attachment_lines()
        fangsong += self.notes()
        fangsong += [self.labels["copy_to"] + self.copy_to_text(), self.printed_by, self.printed_on]
        fangsong.append(self.labels["printed"])
        texts["fangsong"] = "".join(fangsong)
        return texts

    # --- layout -------------------------------------------------------------------------------

    def context(self, *, level: int = 0, qr_svg: str = "", record_placement: str = RECORD_WITH_TEXT) -> dict:
        """The template's context at a tightening level, the 版记 placed as `record_placement`
        says (rendering.py moves it so that the document ends on an even page)."""
        tighten = TIGHTEN_LEVELS[level]
        pitch = TYPE_HEIGHT / (GRID_LINES + tighten["extra_lines"]) - 0.002
        body = Typesetter(width=TYPE_WIDTH, size=BODY_SIZE, cell=CELL)

        title_lines = break_title(self.title.strip(), int(TYPE_WIDTH // TITLE_SIZE))

        # 主送机关: flush left, continuing flush left, ending with a full-width colon.
        addressee = Paragraph([Run("fangsong", self.addressees_text())], first_indent=0, kind="addressee")
        body.set(addressee)

        paragraphs = []
        for text in self.body_paragraphs():
            runs, kind = body_runs(text)
            paragraph = Paragraph(runs, first_indent=2, kind=kind)
            body.set(paragraph)
            paragraphs.append(paragraph)

        # 附件说明: "附件：1．…" two characters in; later items under the first item's number;
        # a long name continuing under its own first character.
        attachments = []
        lines = self.attachment_lines()
        label = len(self.labels["attachments"])
        for number, text in enumerate(lines):
            numbering = len(self.labels["number"].format(n=number + 1)) if len(lines) > 1 else 0
            attachment = Paragraph(
                [Run("fangsong", text)],
                first_indent=2 if number == 0 else 2 + label,
                indent=2 + label + numbering,
                kind="attachment",
            )
            body.set(attachment)
            attachments.append(attachment)

        # 附注: two characters in, in parentheses, on the line after the date.
        notes = []
        for text in self.notes():
            note = Paragraph([Run("fangsong", text)], first_indent=2, indent=2, justify=False, kind="note")
            body.set(note)
            notes.append(note)

        # 版记: 4号, one character in on both sides; 抄送 continues under its first name.
        record = Typesetter(width=TYPE_WIDTH - 2 * RECORD_SIZE, size=RECORD_SIZE, cell=RECORD_SIZE)
        copy_to = None
        if self.copy_to_text():
            copy_label = self.labels["copy_to"]
            copy_to = Paragraph(
                [Run("fangsong", copy_label + self.copy_to_text())], first_indent=0, indent=len(copy_label)
            )
            record.set(copy_to)

        # At the last level the body's last lines go over to the closing's page.
        carried = []
        if tighten["carry_lines"] and paragraphs:
            last = paragraphs[-1]
            carried = last.lines[-tighten["carry_lines"] :]
            last.lines = last.lines[: -tighten["carry_lines"]]

        all_lines = [
            line
            for paragraph in [addressee, *paragraphs, *attachments, *notes, *([copy_to] if copy_to else [])]
            for line in paragraph.lines
        ]
        line_rules = style_lines([*all_lines, *carried])
        signature_gap = pitch if tighten["blank_before_signature"] else 0.0
        closing = self.closing_layout(pitch, body, signature_gap)
        return {
            "document": self,
            "labels": self.labels,
            "qr_svg": "" if self.draft else qr_svg,
            "verification": self.verification_text(),
            "number_text": self.number_text(),
            "draft": self.draft,
            "watermark": (self.label("watermark"), self.label("watermark_latin")),
            "level": level,
            "pitch": pt(pitch),
            "pitch_value": pitch,
            **self.head_layout(pitch),
            "title_gap": pt(2 * pitch),
            "title_leading": pt(TITLE_SIZE * TITLE_LEADING),
            "title_lines": title_lines,
            "addressee": addressee,
            "paragraphs": paragraphs,
            "carried": carried,
            "attachments": attachments,
            "attachment_gap": pt(pitch) if attachments else "0pt",
            "signature_gap": pt(signature_gap),
            **closing,
            "notes": notes,
            "copy_to": copy_to,
            "record_pitch": pt(pitch),
            "record_indent": pt(RECORD_SIZE),
            "record_on_its_page": record_placement != RECORD_WITH_TEXT,
            "record_after_blank": record_placement == RECORD_AFTER_BLANK,
            "line_rules": line_rules,
        }

    def head_layout(self, pitch: float) -> dict:
        """发文机关标志: one organ centred, at most 42 pt and 96 % of the type width; several
        (联合行文, 7.2.2) stacked one a line, each spread to the longest one's width, with 文件
        once to their right, centred on them — the whole as wide as the type area allows."""
        if not self.is_joint:
            size = min(MARK_MAX_SIZE, TYPE_WIDTH * 0.96 / max(len(self.marks()[0]), 1))
            return {
                "joint_mark": None,
                "mark_size": pt(size),
                "mark_top": pt(35 * MM - size * 0.07),
                "number_gap": pt(2 * pitch - size * 0.05),
                "rule_gap": pt(4 * MM - (pitch - BODY_SIZE) / 2 + 1.5),
            }
        names = self.joint_mark_names()
        suffix = self.label("joint_mark")
        longest = max(len(name) for name in names)
        gap = 0.5  # em between the organs and 文件
        size = min(
            MARK_MAX_SIZE,
            TYPE_WIDTH * 0.96 / (longest + gap + len(suffix)),
            JOINT_MARK_MAX_HEIGHT / (len(names) * JOINT_MARK_LEADING),
        )
        leading = size * JOINT_MARK_LEADING
        width = longest * size
        total = width + (gap + len(suffix)) * size
        return {
            "joint_mark": {
                "lines": [
                    {"text": name, "spacing": pt((width - len(name) * size) / (len(name) - 1) if len(name) > 1 else 0)}
                    for name in names
                ],
                "suffix": suffix,
                "size": pt(size),
                "leading": pt(leading),
                "height": pt(leading * len(names)),
                "left": pt((TYPE_WIDTH - total) / 2),
                "suffix_left": pt(width + gap * size),
                "suffix_top": pt((len(names) - 1) * leading / 2),
            },
            "mark_size": pt(size),
            "mark_top": pt(35 * MM - size * 0.07 - (leading - size) / 2),
            "number_gap": pt(2 * pitch - size * 0.05 - (leading - size) / 2),
            "rule_gap": pt(4 * MM - (pitch - BODY_SIZE) / 2 + 1.5),
        }

    def closing_layout(self, pitch: float, setter: Typesetter, gap: float) -> dict:
        """发文机关署名 and 成文日期, and where each organ's seal goes: a 42 mm square centred
        on its signature (the last also on the date) with the text in its lower half
        (7.3.5.1). One organ: the signature two characters from the right, the date under it
        (7.3.5.2; signature_padding). Several (7.3.5.3): in rows of two when they fit, else one
        a row, the rows five lines apart so that no seals touch, the last organ on the right
        and the date once, under it, four characters from the right; the first row's seals
        kept off the text above (`gap` is the blank before the closing) and the 附注 put
        below the last row's."""

        def width_of(text: str) -> float:
            return sum(setter.advance(ch, "fangsong") for ch in text)

        date_width = width_of(self.signed_on)
        signers = self.signers()
        if len(signers) == 1:
            signature_pad, date_pad = self.signature_padding()
            right = TYPE_WIDTH - min(signature_pad, date_pad) * CELL
            left = min(
                TYPE_WIDTH - signature_pad * CELL - width_of(signers[0]), TYPE_WIDTH - date_pad * CELL - date_width
            )
            seals = [self._seal((left + right) / 2, pitch - SEAL_RAISE)]
            return {
                "joint_signatures": None,
                "signature_pad": pt(signature_pad * CELL),
                "date_pad": pt(date_pad * CELL),
                "closing_top": "0pt",
                "closing_height": pt(max(2 * pitch, pitch - SEAL_RAISE + SEAL / 2)),
                "notes_gap": "0pt",
                "seals": [] if self.draft else seals,
            }
        widths = [width_of(name) for name in signers]
        right_centre = min(TYPE_WIDTH - 4 * CELL - date_width / 2, TYPE_WIDTH - 2 * CELL - max(widths) / 2)
        left_centre = TYPE_WIDTH - right_centre
        two_columns = right_centre - left_centre >= max(SEAL + 6 * MM, max(widths) + 2 * CELL)
        columns = [left_centre, right_centre] if two_columns else [right_centre]
        # Rows from the top; the first row takes the odd one out, so the last ends on the right.
        per_row = len(columns)
        first = len(signers) % per_row or per_row
        rows = [signers[:first]] + [signers[i : i + per_row] for i in range(first, len(signers), per_row)]
        first_seal_top = (pitch if len(rows) == 1 else pitch / 2) - SEAL_RAISE - SEAL / 2
        pad_top = max(0.0, -first_seal_top - gap - SEAL_OVERLAP)
        rows_layout, seals = [], []
        for number, row in enumerate(rows):
            top = number * SEAL_ROW_LINES * pitch
            # A row's seals stand level; the last row's press on the date as well.
            centre_y = pad_top + top + (pitch if number == len(rows) - 1 else pitch / 2) - SEAL_RAISE
            names = []
            for name, centre in zip(row, columns[per_row - len(row) :], strict=True):
                names.append({"text": name, "left": pt(centre - width_of(name) / 2)})
                seals.append(self._seal(centre, centre_y))
            rows_layout.append({"names": names, "gap": pt((SEAL_ROW_LINES - 1) * pitch) if number else "0pt"})
        last_top = (len(rows) - 1) * SEAL_ROW_LINES * pitch
        seals_bottom = last_top + pitch - SEAL_RAISE + SEAL / 2
        return {
            "joint_signatures": rows_layout,
            "signature_pad": "0pt",
            "date_pad": pt(TYPE_WIDTH - right_centre - date_width / 2),
            "closing_top": pt(pad_top),
            "closing_height": pt(max(last_top + 2 * pitch, seals_bottom)),
            "notes_gap": pt(max(0.0, seals_bottom - last_top - 2 * pitch)),
            "seals": [] if self.draft else seals,
        }

    @staticmethod
    def _seal(centre_x: float, centre_y: float) -> dict:
        """A seal's square, relative to the closing's padding box."""
        return {
            "left": pt(centre_x - SEAL / 2),
            "top": pt(centre_y - SEAL / 2),
            "size": pt(SEAL),
        }

    def signature_padding(self) -> tuple[float, float]:
        """Right padding (in cells) of the signature and of the date in the unsealed form: the
        signature ends two characters from the right; the date's first character stands two
        to the right of the signature's; a longer date ends two from the right and pushes the
        signature left (GB/T 9704-2012 7.3.5.2)."""
        signature = _cells(self.signers()[0])
        date = _cells(self.signed_on)
        if signature - date >= 2:
            return 2, signature - date
        return 4 + date - signature, 2


def _cells(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)
