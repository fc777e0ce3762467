"""Files of every format the scanner reads, built in memory for the tests.

Each builder takes plain content (paragraphs, table rows, images as bytes) and returns
the file's bytes, written with the library a user's own tools would have used where
one exists (python-docx, python-pptx, odfpy, xlwt, openpyxl, sqlite3, the e-mail
package, PDFium), so the tests read files as real as the ones in seized packs.
"""

from __future__ import annotations

import binascii
import io
import sqlite3
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Rows = list[list[str]]


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def docx(paragraphs: list[str | list[str]], table: Rows | None = None,
         images: list[bytes] | None = None, table_images: dict[int, bytes] | None = None
         ) -> bytes:
    """A Word file: paragraphs (a list of strings is one paragraph in several runs), a
    table (``table_images`` puts a picture in the last cell of row N), pictures each in a
    paragraph of its own."""
    from docx import Document
    from docx.shared import Inches

    document = Document()
    for paragraph in paragraphs:
        runs = [paragraph] if isinstance(paragraph, str) else paragraph
        p = document.add_paragraph()
        for run in runs:
            p.add_run(run)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]) + (1 if table_images
                                                                        else 0))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
            if table_images and r in table_images:
                run = grid.cell(r, len(row)).paragraphs[0].add_run()
                run.add_picture(io.BytesIO(table_images[r]), width=Inches(1))
    for image in images or []:
        document.add_paragraph().add_run().add_picture(io.BytesIO(image), width=Inches(2))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx(slides: list[list[str]], images: dict[int, bytes] | None = None) -> bytes:
    """A presentation: each slide a list of text boxes; ``images`` puts a picture on slide N."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for number, boxes in enumerate(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        for index, text in enumerate(boxes):
            box = slide.shapes.add_textbox(Inches(1), Inches(1 + index), Inches(6), Inches(1))
            box.text_frame.text = text
        if images and number in images:
            slide.shapes.add_picture(io.BytesIO(images[number]), Inches(6), Inches(1),
                                     width=Inches(2))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def odt(paragraphs: list[str], image: bytes | None = None) -> bytes:
    from odf.draw import Frame
    from odf.draw import Image as DrawImage
    from odf.opendocument import OpenDocumentText
    from odf.text import P, Span

    document = OpenDocumentText()
    for text in paragraphs:
        p = P()
        # Split each paragraph into two spans, as editors do after a format change.
        half = len(text) // 2
        p.addElement(Span(text=text[:half]))
        p.addElement(Span(text=text[half:]))
        document.text.addElement(p)
    if image is not None:
        href = document.addPicture("Pictures/face.png", "image/png", image)
        frame = Frame(width="5cm", height="5cm", anchortype="paragraph")
        frame.addElement(DrawImage(href=href))
        p = P()
        p.addElement(frame)
        document.text.addElement(p)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def ods(rows: Rows) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="名单")
    for row in rows:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def odp(slides: list[list[str]]) -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.style import MasterPage, PageLayout
    from odf.text import P

    document = OpenDocumentPresentation()
    layout = PageLayout(name="layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="master", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for boxes in slides:
        page = Page(masterpagename=master)
        for index, text in enumerate(boxes):
            frame = Frame(width="20cm", height="2cm", x="1cm", y=f"{1 + 3 * index}cm")
            box = TextBox()
            box.addElement(P(text=text))
            frame.addElement(box)
            page.addElement(frame)
        document.presentation.addElement(page)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def xls(rows: Rows, numbers_as_numbers: bool = True) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if numbers_as_numbers and value.isdigit() and len(value) <= 15:
                sheet.write(r, c, int(value))
            else:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(rows: Rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rtf(paragraphs: list[str], image: bytes | None = None) -> bytes:
    """An RTF document (non-ASCII text as \\uN escapes, as Word writes it)."""
    def escape(text: str) -> str:
        return "".join(ch if ord(ch) < 128 and ch not in "\\{}" else f"\\u{ord(ch)}?"
                       if ord(ch) < 32768 else f"\\u{ord(ch) - 65536}?" for ch in text)

    body = "".join(f"{{\\pard {escape(p)}\\par}}\n" for p in paragraphs)
    if image is not None:
        hexdata = binascii.hexlify(image).decode("ascii")
        lines = "\n".join(hexdata[i:i + 128] for i in range(0, len(hexdata), 128))
        body += f"{{\\pard{{\\pict\\pngblip\\picw100\\pich100\n{lines}}}\\par}}\n"
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\n" + body + "}").encode("ascii")


def epub(chapters: list[str], image: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"))
        items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
                        for i in range(len(chapters)))
        archive.writestr("OEBPS/content.opf", (
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>资料</dc:title>'
            f"</metadata><manifest>{items}</manifest><spine/></package>"))
        for index, text in enumerate(chapters):
            picture = '<p><img src="images/face.png" alt=""/></p>' if image and index == 0 \
                else ""
            archive.writestr(f"OEBPS/c{index}.xhtml", (
                '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                f"<head><title>c{index}</title></head><body><p>{text}</p>{picture}</body></html>"))
        if image:
            archive.writestr("OEBPS/images/face.png", image)
    return out.getvalue()


def eml(body: str, attachments: dict[str, bytes] | None = None, subject: str = "资料",
        sender: str = "seller@example.com", html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "buyer@example.org"
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data in (attachments or {}).items():
        kind = ("image", "jpeg") if name.lower().endswith((".jpg", ".jpeg")) else \
            ("image", "png") if name.lower().endswith(".png") else ("application", "octet-stream")
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return message.as_bytes()


def mbox(messages: list[bytes]) -> bytes:
    return b"".join(b"From seller@example.com Mon Jan  1 00:00:00 2024\n" + m.rstrip(b"\n")
                    + b"\n\n" for m in messages)


def sql_dump(table: str, columns: list[str], rows: Rows, with_columns: bool = True) -> bytes:
    def literal(value: str) -> str:
        return value if value.isdigit() and len(value) < 12 else "'" + value.replace("'", "''") \
            + "'"

    create = f"CREATE TABLE `{table}` (\n" + ",\n".join(
        f"  `{c}` varchar(64) DEFAULT NULL" for c in columns) + ",\n  PRIMARY KEY (`id`)\n);\n"
    cols = " (" + ", ".join(f"`{c}`" for c in columns) + ")" if with_columns else ""
    values = ",".join("(" + ",".join(literal(v) for v in row) + ")" for row in rows)
    return (f"-- MySQL dump\n{create}INSERT INTO `{table}`{cols} VALUES {values};\n"
            ).encode()


def sqlite_db(table: str, columns: list[str], rows: list[list[object]]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "users.db"
        connection = sqlite3.connect(path)
        connection.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",
                               rows)
        connection.commit()
        connection.close()
        return path.read_bytes()


def text_pdf(pages: list[str]) -> bytes:
    """A PDF with one line of Helvetica text per page (a text layer; built by hand)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode('latin-1')}\n"
                       "endstream")
        content = len(objects)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Contents {content} 0 R /Resources << /Font << /F1 "
                       f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    return pdf_of(objects)


def pdf_of(objects: list[str]) -> bytes:
    """A PDF of these objects (numbered from 1; the first the catalog), with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1"))
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode("latin-1"))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode("latin-1"))
    return out.getvalue()


def scanned_pdf(images: list[Image.Image]) -> bytes:
    """A PDF whose pages are pictures only (no text layer), as a scanner writes them."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for picture in images:
        width, height = 595, round(595 * picture.height / picture.width)
        page = document.new_page(width, height)
        jpeg = io.BytesIO()
        picture.convert("RGB").save(jpeg, format="JPEG", quality=92)
        jpeg.seek(0)
        obj = pdfium.PdfImage.new(document)
        obj.load_jpeg(jpeg, inline=True)
        obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(obj)
        page.gen_content()
        page.close()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def document_image(lines: list[str], size: tuple[int, int] = (1240, 1754)) -> Image.Image:
    """A white page with printed lines, as a scanned form looks."""
    page = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=40)
    for index, line in enumerate(lines):
        draw.text((100, 150 + 90 * index), line, fill=(0, 0, 0), font=font)
    return page


def pdf_with_annotation(note: str) -> bytes:
    """A one-page PDF with a sticky note (a text annotation) holding ``note``."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    document = pdfium.PdfDocument(text_pdf(["see the note"]))
    page = document[0]
    annot = c.FPDFPage_CreateAnnot(page.raw, c.FPDF_ANNOT_TEXT)
    value = (note + "\0").encode("utf-16-le")
    buffer = (ctypes.c_ushort * (len(value) // 2)).from_buffer_copy(value)
    c.FPDFAnnot_SetStringValue(annot, b"Contents", buffer)
    c.FPDFPage_CloseAnnot(annot)
    page.close()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def xlsx_with_extras(comment: str, header: str, link: str) -> bytes:
    """A workbook whose numbers sit outside its cells: a cell comment, the sheet's page
    header, a cell hyperlink."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名"])
    sheet.append(["张三"])
    sheet["A2"].comment = Comment(comment, "clerk")
    sheet.oddHeader.center.text = header
    sheet["A1"].hyperlink = link
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jpeg_with_comment(image: Image.Image, comment: str) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", comment=comment.encode("utf-8"))
    return out.getvalue()


def png_with_text(image: Image.Image, key: str, value: str) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt(key, value)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", pnginfo=info)
    return out.getvalue()
