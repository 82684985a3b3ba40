"""A circular as a document to typeset: its parts in GB/T 9704-2012 order, the text each font
role draws (for the missing-glyph check) and the template context at a tightening level.

Kept apart from the model so the benchmark and the layout tests can typeset a circular
without a database.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from notices.circulars.typesetting import Paragraph, Run, Typesetter, balance_title, body_runs, style_lines

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
    "code": "（校验码：{code}）",
    "note": "（{note}）",
    "scan": "扫码核验",
    "colon": "：",
    "full_stop": "。",
}


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
        )

    def content_digest(self) -> str:
        """SHA-256 of what the document says (canonical JSON), printed on it and looked up by
        the verification page; the PDF's own SHA-256 cannot be printed inside it."""
        content = asdict(self)
        content.pop("verify_url")
        content.pop("labels")
        canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    # --- parts --------------------------------------------------------------------------------

    def body_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.replace("\r\n", "\n").split("\n") if line.strip()]

    def addressees_text(self) -> str:
        text = self.addressee_line.strip().rstrip(":：")
        return f"{text}{self.labels['colon']}" if text else ""

    def copy_to_text(self) -> str:
        text = self.copy_to.strip().rstrip("。.，,")
        return f"{text}{self.labels['full_stop']}" if text else ""

    def notes(self, digest: str) -> list[str]:
        """附注: the issuer's note, then the verification code the QR code carries."""
        notes = []
        note = self.note.strip()
        if note:
            notes.append(note if note.startswith(("（", "(")) else self.labels["note"].format(note=note))
        grouped = " ".join(digest[i : i + 16] for i in range(0, len(digest), 16))
        notes.append(self.labels["code"].format(code=grouped))
        return notes

    def attachment_lines(self) -> list[str]:
        names = [name.strip().rstrip("。.") for name in self.attachments if name.strip()]
        if len(names) == 1:
            return [self.labels["attachments"] + names[0]]
        return [
            (self.labels["attachments"] if n == 1 else "") + self.labels["number"].format(n=n) + name
            for n, name in enumerate(names, 1)
        ]

    def texts_by_role(self, digest: str = "0" * 64) -> dict[str, str]:
        """Every character of the document, by the font role that draws it."""
        texts = {"xbs": self.issuer_mark + self.title, "song": "— 0123456789 —", "kai": "", "hei": ""}
        fangsong = [self.labels["scan"], self.document_number, self.addressees_text(), self.signature, self.signed_on]
        for paragraph in self.body_paragraphs():
            runs, _kind = body_runs(paragraph)
            for run in runs:
                if run.role == "fangsong":
                    fangsong.append(run.text)
                else:
                    texts[run.role] += run.text
        fangsong += self.attachment_lines()
        fangsong += self.notes(digest)
        fangsong += [self.labels["copy_to"] + self.copy_to_text(), self.printed_by, self.printed_on]
        fangsong.append(self.labels["printed"])
        texts["fangsong"] = "".join(fangsong)
        return texts

    # --- layout -------------------------------------------------------------------------------

    def context(self, *, level: int = 0, digest: str, qr_svg: str = "") -> dict:
        tighten = TIGHTEN_LEVELS[level]
        pitch = TYPE_HEIGHT / (GRID_LINES + tighten["extra_lines"]) - 0.002
        body = Typesetter(width=TYPE_WIDTH, size=BODY_SIZE, cell=CELL)

        title_lines = balance_title(self.title.strip(), int(TYPE_WIDTH // TITLE_SIZE))

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
        for text in self.notes(digest):
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
        mark_size = min(MARK_MAX_SIZE, TYPE_WIDTH * 0.96 / max(len(self.issuer_mark), 1))
        signature_pad, date_pad = self.signature_padding()
        return {
            "document": self,
            "labels": self.labels,
            "digest": digest,
            "qr_svg": qr_svg,
            "level": level,
            "pitch": pt(pitch),
            "pitch_value": pitch,
            "mark_size": pt(mark_size),
            "mark_top": pt(35 * MM - mark_size * 0.07),
            "number_gap": pt(2 * pitch - mark_size * 0.05),
            "rule_gap": pt(4 * MM - (pitch - BODY_SIZE) / 2 + 1.5),
            "title_gap": pt(2 * pitch),
            "title_leading": pt(TITLE_SIZE * TITLE_LEADING),
            "title_lines": title_lines,
            "addressee": addressee,
            "paragraphs": paragraphs,
            "carried": carried,
            "attachments": attachments,
            "attachment_gap": pt(pitch) if attachments else "0pt",
            "signature_gap": pt(pitch) if tighten["blank_before_signature"] else "0pt",
            "signature_pad": pt(signature_pad * CELL),
            "date_pad": pt(date_pad * CELL),
            "notes": notes,
            "copy_to": copy_to,
            "record_pitch": pt(pitch),
            "record_indent": pt(RECORD_SIZE),
            "line_rules": line_rules,
        }

    def signature_padding(self) -> tuple[float, float]:
        """Right padding (in cells) of the signature and of the date in the unsealed form: the
        signature ends two characters from the right; the date's first character stands two
        to the right of the signature's; a longer date ends two from the right and pushes the
        signature left (GB/T 9704-2012 7.3.5.2)."""
        signature = _cells(self.signature)
        date = _cells(self.signed_on)
        if signature - date >= 2:
            return 2, signature - date
        return 4 + date - signature, 2


def _cells(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)
