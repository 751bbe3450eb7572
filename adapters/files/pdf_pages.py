"""PDF pages with pypdf: how many a file has, and a new PDF of only the chosen ones.

pypdf is imported when a PDF is first read, never at startup.
"""

from __future__ import annotations

import io

from domain.context.media import MAX_PDF_PAGES, MediaError, page_span, parse_pages


def selected_pages(data: bytes, shown: str, pages: str | None) -> tuple[bytes, str, int]:
    """The PDF to send (the file itself, or a PDF of the pages asked for), which pages it
    holds (``"1-3, 7"``), and the file's page count."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise MediaError(f"{shown} is an encrypted PDF; it cannot be read without its password")
        count = len(reader.pages)
        if pages is None:
            if count > MAX_PDF_PAGES:
                raise MediaError(
                    f"{shown} has {count} pages; read at most {MAX_PDF_PAGES} at a time with "
                    f'pages, e.g. pages: "1-{MAX_PDF_PAGES}"'
                )
            return data, page_span(list(range(count))), count
        chosen = parse_pages(pages, count)
        writer = PdfWriter()
        for index in chosen:
            writer.add_page(reader.pages[index])
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), page_span(chosen), count
    except MediaError:
        raise
    except PyPdfError as exc:
        raise MediaError(f"{shown} is not a PDF hexclaw can read ({exc})") from None
    except Exception as exc:  # a damaged file can fail anywhere inside the parser
        raise MediaError(f"{shown} is not a PDF hexclaw can read ({type(exc).__name__})") from None
