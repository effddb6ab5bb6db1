"""Refuses XML documents that declare entities, before any parser expands them.

feedparser strips entity declarations with regular expressions that a comment before the DOCTYPE
defeats; expat then expands nested entities ("billion laughs") up to its amplification limit, which
takes seconds of CPU and megabytes of text per document. No feed needs entities of its own, so a
document declaring any (internal, external or parameter) is refused with the entity's name.
Only the prolog is read, with defusedxml's expat reader: that is where declarations live.
"""

from __future__ import annotations

import io
from xml.sax import SAXException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import InputSource

from defusedxml import EntitiesForbidden  # type: ignore[import-untyped]
from defusedxml.sax import make_parser  # type: ignore[import-untyped]

from sources.base import ParseError

# How "<!ENTITY" looks in the encodings a document is read in; used only when expat cannot read the prolog.
_DECLARATION_BYTES = tuple("<!ENTITY".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))


class _PrologRead(Exception):
    """Raised at the root element: no declaration can follow."""


class _StopAtRoot(ContentHandler):
    def startElement(self, name: str, attrs: object) -> None:  # the SAX interface's name
        raise _PrologRead


def refuse_entity_declarations(body: bytes) -> None:
    """Raise :class:`ParseError` if ``body`` declares an XML entity. A document expat cannot read up to
    its root element is refused only if "<!ENTITY" appears in it: feedparser reads such a document
    with its lenient parser, which takes declarations it finds by pattern."""
    # expat reads no multi-byte legacy encoding (Shift_JIS, GB2312, Big5...) nor unknown ones; their
    # markup is ASCII, which a Latin-1 reading keeps, so the prolog is read again that way.
    for encoding in (None, "iso-8859-1"):
        source = InputSource()
        source.setByteStream(io.BytesIO(body))
        if encoding:
            source.setEncoding(encoding)
        parser = make_parser()
        parser.setContentHandler(_StopAtRoot())
        try:
            parser.parse(source)
        except _PrologRead:
            return
        except EntitiesForbidden as exc:
            raise ParseError(_refusal(f"the entity {exc.name!r}")) from None
        except (ValueError, LookupError):  # a multi-byte or unknown encoding
            continue
        except SAXException:
            break
        return  # a prolog and nothing else
    if any(declaration in body for declaration in _DECLARATION_BYTES):
        raise ParseError(_refusal("entities (<!ENTITY) in a document that is not well-formed XML"))


def _refusal(what: str) -> str:
    return f"refused: the document declares {what}; XML entities are not expanded (billion laughs, external entities)"
