"""The one reading of a deedflow PDF (docs/verification.md, "Reading a PDF"): a strict, small
profile of PDF that the registry's own files keep to, read the same way here and by the
verification page (client/verifier/verifier.js), so that one PDF has one answer. Anything the
profile does not hold (an incremental update, compressed object streams, a second embedded file,
a filter it does not take) is refused rather than guessed at.

What it gives back: the embedded signed document's bytes; every text run drawn on every page,
with where it starts and what it says; and what a relying party must be told of (active content,
pictures, text it cannot decode)."""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

ATTACHMENT = "deedflow-document.json"
# More than any deedflow PDF needs; a file past these is not one of ours, and reading it whole
# would let a hostile file decide how much memory a verifier spends.
MAX_DECODED_BYTES = 8 * 1024 * 1024
MAX_NESTING = 32
MAX_OBJECTS = 10_000

WHITESPACE = b"\x00\t\n\x0c\r "
DELIMITERS = b"()<>[]{}/%"
# Keys and action types that make a PDF do something when opened or clicked (ISO 32000-1 12.6).
ACTIVE_KEYS = frozenset(
    {"OpenAction", "AA", "JS", "JavaScript", "Launch", "SubmitForm", "ImportData", "RichMedia", "URI"}
)
ACTIVE_ACTIONS = frozenset(
    {"JavaScript", "Launch", "SubmitForm", "ImportData", "RichMedia", "URI", "GoToR", "GoToE", "Rendition"}
)
_AFTER_END = "the PDF goes on after its end (%%EOF): it was changed after it was made"
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")


class PdfRefused(ValueError):
    """Why the bytes are not a PDF this reader takes."""


class Name(str):
    """A PDF name (/Type), apart from a string."""


@dataclass(frozen=True)
class Ref:
    number: int
    generation: int


@dataclass(frozen=True)
class Keyword:
    word: str


@dataclass
class Stream:
    dictionary: dict
    raw: bytes


@dataclass(frozen=True)
class Run:
    """Text drawn by one text-showing operator: its page (from 1), where its first glyph starts
    (in points, the page's own coordinates) and what it says."""

    page: int
    x: float
    y: float
    text: str


@dataclass
class PdfReading:
    attachment: bytes
    runs: list[Run] = field(default_factory=list)
    # What a relying party must be told: active content by name, pages with pictures, pages with
    # text drawn in a font whose characters cannot be read.
    active: list[str] = field(default_factory=list)
    pictures: list[int] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)


# ---- the lexer --------------------------------------------------------------------------------


class _Lexer:
    def __init__(self, data: bytes, at: int = 0) -> None:
        self.data = data
        self.at = at

    def skip_space(self) -> list[bytes]:
        """Skips whitespace and comments; the comments skipped."""
        comments = []
        data = self.data
        while self.at < len(data):
            c = data[self.at]
            if c in WHITESPACE:
                self.at += 1
            elif c == 0x25:  # %
                end = self.at
                while end < len(data) and data[end] not in b"\r\n":
                    end += 1
                comments.append(data[self.at : end])
                self.at = end
            else:
                break
        return comments

    def token(self):
        """The next token: a value, a Keyword, or the delimiters "<<", ">>", "[", "]"; None at the end."""
        self.skip_space()
        data = self.data
        if self.at >= len(data):
            return None
        c = data[self.at]
        if data.startswith(b"<<", self.at) or data.startswith(b">>", self.at):
            self.at += 2
            return data[self.at - 2 : self.at].decode()
        if c in b"[]":
            self.at += 1
            return chr(c)
        if c == 0x2F:  # /
            return self._name()
        if c == 0x28:  # (
            return self._literal()
        if c == 0x3C:  # <
            return self._hex()
        if c in b")>{}":
            raise PdfRefused(f"an unexpected {chr(c)!r} at byte {self.at}")
        end = self.at
        while end < len(data) and data[end] not in WHITESPACE and data[end] not in DELIMITERS:
            end += 1
        word = data[self.at : end]
        self.at = end
        if _NUMBER.fullmatch(word):
            return float(word) if b"." in word else int(word)
        return Keyword(word.decode("latin-1"))

    def _name(self) -> Name:
        data = self.data
        end = self.at + 1
        while end < len(data) and data[end] not in WHITESPACE and data[end] not in DELIMITERS:
            end += 1
        raw = data[self.at + 1 : end]
        self.at = end
        out = bytearray()
        i = 0
        while i < len(raw):
            if raw[i] == 0x23 and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[i + 1 : i + 3]):
                out.append(int(raw[i + 1 : i + 3], 16))
                i += 3
            else:
                out.append(raw[i])
                i += 1
        return Name(out.decode("latin-1"))

    def _literal(self) -> bytes:
        data = self.data
        out = bytearray()
        depth = 1
        i = self.at + 1
        escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
        while i < len(data):
            c = data[i]
            if c == 0x5C:  # backslash
                i += 1
                if i >= len(data):
                    break
                e = data[i]
                if e in escapes:
                    out.append(escapes[e])
                    i += 1
                elif 0x30 <= e <= 0x37:
                    digits = re.match(rb"[0-7]{1,3}", data[i : i + 3])[0]
                    out.append(int(digits, 8) & 0xFF)
                    i += len(digits)
                elif e == 0x0D:
                    i += 2 if data[i + 1 : i + 2] == b"\n" else 1
                elif e == 0x0A:
                    i += 1
                else:
                    out.append(e)
                    i += 1
                continue
            if c == 0x28:
                depth += 1
            elif c == 0x29:
                depth -= 1
                if depth == 0:
                    self.at = i + 1
                    return bytes(out)
            out.append(c)
            i += 1
        raise PdfRefused("a string runs to the end of the file")

    def _hex(self) -> bytes:
        end = self.data.find(b">", self.at)
        if end < 0:
            raise PdfRefused("a hex string runs to the end of the file")
        digits = re.sub(rb"[\x00\t\n\x0c\r ]", b"", self.data[self.at + 1 : end])
        if not re.fullmatch(rb"[0-9A-Fa-f]*", digits):
            raise PdfRefused("a hex string holds something other than hex digits")
        self.at = end + 1
        return bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode())

    def value(self, depth: int = 0):
        """One value, with references (n g R) resolved to Ref; a Keyword where a value ends."""
        if depth > MAX_NESTING:
            raise PdfRefused("values nest too deep")
        token = self.token()
        if token == "<<":
            found = {}
            while True:
                key = self.token()
                if key == ">>":
                    return found
                if not isinstance(key, Name):
                    raise PdfRefused("a dictionary key is not a name")
                if key in found:
                    raise PdfRefused(f"a dictionary names /{key} twice")
                found[key] = self.value(depth + 1)
        if token == "[":
            items = []
            while True:
                mark = self.at
                item = self.token()
                if item == "]":
                    return items
                self.at = mark
                items.append(self.value(depth + 1))
        if isinstance(token, int):
            mark = self.at
            generation = self.token()
            if isinstance(generation, int):
                keyword = self.token()
                if keyword == Keyword("R"):
                    return Ref(token, generation)
            self.at = mark
            return token
        if token == Keyword("true"):
            return True
        if token == Keyword("false"):
            return False
        if token == Keyword("null"):
            return None
        if token is None or token in (">>", "]"):
            raise PdfRefused("a value is missing")
        return token


# ---- the file ---------------------------------------------------------------------------------


class _File:
    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"%PDF-1."):
            raise PdfRefused("the file does not start as a PDF 1.x file")
        self.objects: dict[int, object] = {}
        self.trailer: dict = {}
        lexer = _Lexer(data)
        ends = 0
        while True:
            for comment in lexer.skip_space():
                if ends:
                    raise PdfRefused(_AFTER_END)
                ends += comment.rstrip() == b"%%EOF"
            if lexer.at >= len(data):
                break
            if ends:
                raise PdfRefused(_AFTER_END)
            token = lexer.token()
            if isinstance(token, int):
                self._object(lexer, token)
            elif token == Keyword("xref"):
                start = data.find(b"trailer", lexer.at)
                if start < 0:
                    raise PdfRefused("a cross-reference table has no trailer")
                lexer.at = start
            elif token == Keyword("trailer"):
                trailer = lexer.value()
                if not isinstance(trailer, dict):
                    raise PdfRefused("the trailer is not a dictionary")
                if self.trailer:
                    raise PdfRefused("the PDF has two trailers: it was changed after it was made")
                self.trailer = trailer
            elif token == Keyword("startxref"):
                lexer.token()
            else:
                raise PdfRefused(f"unexpected {token!r} at byte {lexer.at}")
        if ends != 1:
            raise PdfRefused("the PDF does not end with %%EOF")
        if "Encrypt" in self.trailer:
            raise PdfRefused("the PDF is encrypted")

    def _object(self, lexer: _Lexer, number: int) -> None:
        generation = lexer.token()
        if not isinstance(generation, int) or lexer.token() != Keyword("obj"):
            raise PdfRefused(f"object {number} has no 'obj' header")
        if number in self.objects:
            raise PdfRefused(f"object {number} is defined twice: the PDF was changed after it was made")
        if len(self.objects) >= MAX_OBJECTS:
            raise PdfRefused("the PDF holds too many objects")
        value = lexer.value()
        mark = lexer.at
        after = lexer.token()
        if after == Keyword("stream"):
            value = self._stream(lexer, value, number)
            after = lexer.token()
        if after != Keyword("endobj"):
            lexer.at = mark
            raise PdfRefused(f"object {number} does not end with endobj")
        if isinstance(value, (Stream, dict)):
            kind = (value.dictionary if isinstance(value, Stream) else value).get("Type")
            if kind in ("ObjStm", "XRef"):
                raise PdfRefused(f"a compressed /{kind} stream is not part of a deedflow PDF")
        self.objects[number] = value

    @staticmethod
    def _stream(lexer: _Lexer, dictionary, number: int) -> Stream:
        if not isinstance(dictionary, dict):
            raise PdfRefused(f"the stream of object {number} has no dictionary")
        data = lexer.data
        if data.startswith(b"\r\n", lexer.at):
            lexer.at += 2
        elif data.startswith(b"\n", lexer.at):
            lexer.at += 1
        else:
            raise PdfRefused(f"the stream of object {number} does not start on a new line")
        length = dictionary.get("Length")
        if not isinstance(length, int) or length < 0 or lexer.at + length > len(data):
            raise PdfRefused(f"the stream of object {number} has no length of its own")
        raw = data[lexer.at : lexer.at + length]
        lexer.at += length
        if lexer.token() != Keyword("endstream"):
            raise PdfRefused(f"the stream of object {number} is not as long as it says")
        return Stream(dictionary, raw)

    def resolve(self, value, depth: int = 0):
        while isinstance(value, Ref):
            depth += 1
            if depth > MAX_NESTING:
                raise PdfRefused("references run in a circle")
            value = self.objects.get(value.number)
        return value


def _a85(raw: bytes) -> bytes:
    text = re.sub(rb"[\x00\t\n\x0c\r ]", b"", raw)
    if text.startswith(b"<~"):
        text = text[2:]
    if not text.endswith(b"~>"):
        raise PdfRefused("an ASCII85 stream does not end with ~>")
    try:
        return base64.a85decode(text[:-2], adobe=False)
    except ValueError as exc:
        raise PdfRefused(f"an ASCII85 stream cannot be decoded: {exc}") from None


def _inflate(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, MAX_DECODED_BYTES)
    except zlib.error as exc:
        raise PdfRefused(f"a compressed stream cannot be inflated: {exc}") from None
    if inflater.unconsumed_tail:
        raise PdfRefused("a compressed stream inflates past what a deedflow PDF holds")
    if not inflater.eof or inflater.unused_data:
        raise PdfRefused("a compressed stream is cut short or has bytes after its end")
    return out


def decoded(stream: Stream) -> bytes:
    """A stream's data through its filters: FlateDecode and ASCII85Decode only, no parameters."""
    filters = stream.dictionary.get("Filter")
    filters = [] if filters is None else filters if isinstance(filters, list) else [filters]
    if stream.dictionary.get("DecodeParms") not in (None, [], [None]):
        raise PdfRefused("a stream's filter has parameters, which a deedflow PDF does not use")
    data = stream.raw
    for name in filters:
        if name == "FlateDecode":
            data = _inflate(data)
        elif name == "ASCII85Decode":
            data = _a85(data)
        else:
            raise PdfRefused(f"the filter /{name} is not one this reader takes")
    return data


def _text_string(value) -> str:
    """A PDF text string: UTF-16BE after its byte-order mark, else as ISO 8859-1."""
    if not isinstance(value, bytes):
        return ""
    if value.startswith(b"\xfe\xff"):
        return value[2:].decode("utf-16-be", errors="replace")
    return value.decode("latin-1")


# ---- what the file holds ----------------------------------------------------------------------


def _walk(value, found_keys: set[str], depth: int = 0) -> None:
    if depth > MAX_NESTING:
        return
    if isinstance(value, Stream):
        value = value.dictionary
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ACTIVE_KEYS:
                found_keys.add(key)
            if key == "S" and item in ACTIVE_ACTIONS:
                found_keys.add(str(item))
            _walk(item, found_keys, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found_keys, depth + 1)


def _attachment(pdf: _File, catalog: dict) -> bytes:
    """The one embedded file, named deedflow-document.json everywhere it is named."""
    streams = [
        o
        for o in pdf.objects.values()
        if isinstance(o, Stream) and o.dictionary.get("Type") == "EmbeddedFile"
    ]
    annotated = [
        o for o in pdf.objects.values() if isinstance(o, dict) and o.get("Subtype") == "FileAttachment"
    ]
    entries: list[tuple[str, object]] = []

    def collect(node, depth: int) -> None:
        node = pdf.resolve(node)
        if not isinstance(node, dict) or depth > MAX_NESTING:
            return
        names = pdf.resolve(node.get("Names"))
        if isinstance(names, list):
            entries.extend((_text_string(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2))
        kids = pdf.resolve(node.get("Kids"))
        for kid in kids if isinstance(kids, list) else []:
            collect(kid, depth + 1)

    tree = pdf.resolve(catalog.get("Names"))
    if isinstance(tree, dict):
        collect(tree.get("EmbeddedFiles"), 0)
    count = max(len(streams) + len(annotated), len(entries))
    if count == 0:
        raise PdfRefused(f"this PDF carries no deedflow document (no embedded {ATTACHMENT})")
    if count > 1:
        raise PdfRefused(f"this PDF carries {count} embedded files; a deedflow PDF carries one")
    if not entries:
        raise PdfRefused("the embedded file is not listed among the PDF's embedded files")
    name, spec = entries[0]
    spec = pdf.resolve(spec)
    names = [name]
    if isinstance(spec, dict):
        names += [_text_string(spec.get(k)) for k in ("F", "UF") if k in spec]
    wrong = next((n for n in names if n != ATTACHMENT), None)
    if wrong is not None:
        raise PdfRefused(f"the embedded file is named {wrong!r}, not {ATTACHMENT!r}")
    files = pdf.resolve(spec.get("EF")) if isinstance(spec, dict) else None
    stream = pdf.resolve(files.get("F")) if isinstance(files, dict) else None
    if not isinstance(stream, Stream) or not any(stream is s for s in streams):
        raise PdfRefused("the embedded file's entry names no embedded file")
    return decoded(stream)


# ---- the pages and their text -----------------------------------------------------------------


class _Font:
    """How a font's character codes become text: its ToUnicode map, or ISO 8859-1 for a simple
    font in a standard encoding; None for codes it cannot read."""

    def __init__(self, pdf: _File, font) -> None:
        self.width = 1
        self.map: dict[bytes, str] | None = None
        font = pdf.resolve(font)
        if not isinstance(font, dict):
            return
        unicode = pdf.resolve(font.get("ToUnicode"))
        if isinstance(unicode, Stream):
            self._cmap(decoded(unicode))
        elif font.get("Subtype") in ("Type1", "TrueType", "MMType1") and font.get("Encoding") in (
            None,
            "WinAnsiEncoding",
            "StandardEncoding",
        ):
            self.map = {bytes([b]): chr(b) for b in range(256)}

    def _cmap(self, text: bytes) -> None:
        hexes = rb"<([0-9A-Fa-f]+)>"
        space = re.findall(rb"begincodespacerange(.*?)endcodespacerange", text, re.DOTALL)
        widths = {len(h) // 2 for block in space for h in re.findall(hexes, block)}
        if len(widths) != 1:
            return
        self.width = widths.pop()
        mapping: dict[bytes, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.DOTALL):
            pairs = re.findall(hexes, block)
            for source, target in zip(pairs[::2], pairs[1::2], strict=False):
                if len(source) % 2 == 0:
                    mapping[bytes.fromhex(source.decode())] = _utf16(target)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.DOTALL):
            for low, high, target in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
            ):
                start, end = int(low, 16), int(high, 16)
                if end < start or end - start > 0xFFFF or end >= 256**self.width:
                    continue
                targets = re.findall(hexes, target) if target.startswith(b"[") else None
                for offset, code in enumerate(range(start, end + 1)):
                    key = code.to_bytes(self.width, "big")
                    if targets is not None:
                        if offset < len(targets):
                            mapping[key] = _utf16(targets[offset])
                    else:
                        # The last character counts up through the range, within the BMP only.
                        base = _utf16(target[1:-1])
                        if base and ord(base[-1]) + offset <= 0xFFFF:
                            mapping[key] = base[:-1] + chr(ord(base[-1]) + offset)
        self.map = mapping

    def text(self, data: bytes) -> str | None:
        if self.map is None or len(data) % self.width:
            return None
        out = []
        for i in range(0, len(data), self.width):
            char = self.map.get(data[i : i + self.width])
            if char is None:
                return None
            out.append(char)
        return "".join(out)


def _utf16(hex_digits: bytes) -> str:
    """UTF-16BE given in hex digits, four to a code unit ('' when not whole code units)."""
    if len(hex_digits) % 4:
        return ""
    return bytes.fromhex(hex_digits.decode()).decode("utf-16-be", errors="replace")


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    """m × n, as PDF composes them (a point p goes to p × m × n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _matrix(operands) -> Matrix | None:
    if isinstance(operands, list | tuple) and len(operands) == 6 and all(_number(o) for o in operands):
        return tuple(float(o) for o in operands)
    return None


class _Page:
    def __init__(self, pdf: _File, number: int, reading: PdfReading) -> None:
        self.pdf = pdf
        self.number = number
        self.reading = reading
        self.fonts: dict[int, _Font] = {}

    def _font(self, resources, name) -> _Font:
        fonts = self.pdf.resolve(resources.get("Font")) if isinstance(resources, dict) else None
        ref = fonts.get(name) if isinstance(fonts, dict) else None
        key = ref.number if isinstance(ref, Ref) else id(ref)
        if key not in self.fonts:
            self.fonts[key] = _Font(self.pdf, ref)
        return self.fonts[key]

    def _flag(self, found: list[int]) -> None:
        if self.number not in found:
            found.append(self.number)

    def _show(self, font: _Font | None, data, tm: Matrix, ctm: Matrix) -> None:
        if not isinstance(data, bytes):
            return
        text = font.text(data) if font is not None else None
        if text is None:
            self._flag(self.reading.unreadable)
            return
        x, y = _times((1, 0, 0, 1, tm[4], tm[5]), ctm)[4:]
        self.reading.runs.append(Run(self.number, x, y, text))

    def interpret(self, content: bytes, resources, ctm: Matrix, depth: int = 0) -> None:
        if depth > 8:
            raise PdfRefused("forms nest too deep")
        lexer = _Lexer(content)
        operands: list = []
        states: list[tuple[Matrix, _Font | None, float]] = []
        font: _Font | None = None
        leading = 0.0
        tm = tlm = IDENTITY
        while True:
            token = lexer.value() if _starts_value(lexer) else lexer.token()
            if token is None:
                return
            if not isinstance(token, Keyword):
                operands.append(token)
                continue
            op = token.word
            if op == "q":
                states.append((ctm, font, leading))
            elif op == "Q" and states:
                ctm, font, leading = states.pop()
            elif op == "cm" and (m := _matrix(operands)):
                ctm = _times(m, ctm)
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tf" and len(operands) == 2 and isinstance(operands[0], Name):
                font = self._font(resources, operands[0])
            elif op == "TL" and operands and _number(operands[-1]):
                leading = float(operands[-1])
            elif op == "Tm" and (m := _matrix(operands)):
                tm = tlm = m
            elif op in ("Td", "TD") and len(operands) == 2 and all(_number(o) for o in operands):
                if op == "TD":
                    leading = -float(operands[1])
                tm = tlm = _times((1, 0, 0, 1, float(operands[0]), float(operands[1])), tlm)
            elif op in ("T*", "'", '"'):
                tm = tlm = _times((1, 0, 0, 1, 0, -leading), tlm)
                if op != "T*" and operands:
                    self._show(font, operands[-1], tm, ctm)
            elif op == "Tj" and operands:
                self._show(font, operands[-1], tm, ctm)
            elif op == "TJ" and operands and isinstance(operands[-1], list):
                parts = [p for p in operands[-1] if isinstance(p, bytes)]
                self._show(font, b"".join(parts), tm, ctm)
            elif op == "Do" and operands and isinstance(operands[-1], Name):
                self._draw(resources, operands[-1], ctm, depth)
            elif op == "BI":
                self._flag(self.reading.pictures)
                end = re.search(
                    rb"[\x00\t\n\x0c\r ]ID[\x00\t\n\x0c\r ].*?[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)",
                    content[lexer.at :],
                    re.DOTALL,
                )
                if end is None:
                    raise PdfRefused("an inline image does not end")
                lexer.at += end.end()
            operands = []

    def _draw(self, resources, name: Name, ctm: Matrix, depth: int) -> None:
        objects = self.pdf.resolve(resources.get("XObject")) if isinstance(resources, dict) else None
        drawn = self.pdf.resolve(objects.get(name)) if isinstance(objects, dict) else None
        if not isinstance(drawn, Stream):
            return
        kind = drawn.dictionary.get("Subtype")
        if kind == "Image":
            self._flag(self.reading.pictures)
        elif kind == "Form":
            matrix = _matrix(self.pdf.resolve(drawn.dictionary.get("Matrix")) or IDENTITY) or IDENTITY
            inner = self.pdf.resolve(drawn.dictionary.get("Resources"))
            self.interpret(
                decoded(drawn),
                inner if isinstance(inner, dict) else resources,
                _times(matrix, ctm),
                depth + 1,
            )


def _starts_value(lexer: _Lexer) -> bool:
    lexer.skip_space()
    return lexer.data.startswith((b"<<", b"[", b"(", b"<", b"/"), lexer.at)


def _pages(pdf: _File, node, inherited, depth: int, found: list) -> None:
    node = pdf.resolve(node)
    if not isinstance(node, dict) or depth > MAX_NESTING:
        raise PdfRefused("the page tree is broken")
    resources = pdf.resolve(node.get("Resources", inherited))
    if node.get("Type") == "Page":
        found.append((node, resources))
        return
    kids = pdf.resolve(node.get("Kids"))
    if not isinstance(kids, list):
        raise PdfRefused("the page tree is broken")
    for kid in kids:
        _pages(pdf, kid, resources, depth + 1, found)


def read_pdf(data: bytes) -> PdfReading:
    """The PDF read by the profile; PdfRefused saying why it is not one this reader takes."""
    pdf = _File(data)
    catalog = pdf.resolve(pdf.trailer.get("Root"))
    if not isinstance(catalog, dict) or catalog.get("Type") != "Catalog":
        raise PdfRefused("the PDF has no catalog")
    reading = PdfReading(_attachment(pdf, catalog))
    keys: set[str] = set()
    for value in pdf.objects.values():
        _walk(value, keys)
    reading.active = sorted(keys)
    pages: list = []
    _pages(pdf, catalog.get("Pages"), None, 0, pages)
    for number, (page, resources) in enumerate(pages, start=1):
        contents = pdf.resolve(page.get("Contents"))
        streams = [pdf.resolve(c) for c in contents] if isinstance(contents, list) else [contents]
        content = b"\n".join(decoded(s) for s in streams if isinstance(s, Stream))
        _Page(pdf, number, reading).interpret(
            content, resources if isinstance(resources, dict) else {}, IDENTITY
        )
    return reading
