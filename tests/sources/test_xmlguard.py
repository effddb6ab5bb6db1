"""Entity declarations are refused before feedparser sees them: why (feedparser expands them when a
comment hides the DOCTYPE from its pattern), in every encoding and malformed prolog tried, while
feeds without declarations (an RSS 0.91 external DTD included) pass, across the shared corpora."""

from __future__ import annotations

import io
import time

import feedparser
import pytest

from sources.base import ParseError, Payload, SourceSpec
from sources.feeds import FeedAdapter
from sources.xmlguard import refuse_entity_declarations
from tests.conftest import CORPORA, PAYLOADS
from tests.hostile import billion_laughs, external_entity

NESTED = "".join(['<!ENTITY lol0 "lol">', *(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 6))])
ITEM = '<rss version="2.0"><channel><title>t</title><item><title>&lol5;</title><link>https://example.org/1</link></item></channel></rss>'
NETSCAPE = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'


def laughs(declaration: str = '<?xml version="1.0"?>', before: str = "") -> str:
    """Five levels of nested entities, behind a comment that ends feedparser's DOCTYPE pattern early."""
    return f"{before}{declaration}<!-- <a -->\n<!DOCTYPE rss [\n{NESTED}\n]>\n{ITEM}"


def test_feedparser_alone_expands_nested_entities_behind_a_comment() -> None:
    parsed = feedparser.parse(io.BytesIO(laughs().encode()), response_headers={"content-type": "application/rss+xml"})

    assert len(parsed.entries[0].title) == 3 * 10**5 and not parsed.bozo  # "lol" x 100,000, silently


@pytest.mark.parametrize(
    "document",
    [
        laughs().encode(),
        b"\xef\xbb\xbf" + laughs().encode(),
        laughs(declaration="").encode(),
        laughs('<?xml version="1.0" encoding="utf-16"?>').encode("utf-16"),
        laughs('<?xml version="1.0" encoding="iso-8859-1"?>').encode("latin-1"),
        laughs('<?xml version="1.0" encoding="shift_jis"?>').encode("shift_jis"),  # expat reads no Shift_JIS
        laughs('<?xml version="1.0" encoding="no-such-charset"?>').encode(),
        laughs(before="  \n").encode(),  # not well-formed: whitespace before the declaration
        billion_laughs(),
        external_entity(),
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://example.org/x.dtd"> %remote;]><rss/>',
    ],
    ids=["utf-8", "bom", "no-declaration", "utf-16", "latin-1", "shift-jis", "unknown-charset", "malformed-prolog",
         "billion-laughs", "external-entity", "parameter-entity"],
)
def test_documents_declaring_entities_are_refused_at_once(document: bytes) -> None:
    started = time.monotonic()

    with pytest.raises(ParseError, match=r"^refused: the document declares (the entity '\w+'|entities)"):
        refuse_entity_declarations(document)

    assert time.monotonic() - started < 0.1


@pytest.mark.parametrize(
    "document",
    [
        (PAYLOADS / "feeds" / "bbc-technology.xml").read_bytes(),
        f'<?xml version="1.0"?>{NETSCAPE}<rss version="0.91"><channel><title>t</title></channel></rss>'.encode(),
        b"<!DOCTYPE html><html><body>&nbsp;not a feed</body></html>",
        b"<rss><channel><item><description><![CDATA[how <!ENTITY attacks work]]></description></item></channel></rss>",
        b"\x00\x01 no xml at all",
    ],
    ids=["real-feed", "external-dtd-only", "html", "entity-quoted-in-an-item", "garbage"],
)
def test_documents_without_declarations_pass(document: bytes) -> None:
    refuse_entity_declarations(document)


def test_the_feed_adapter_refuses_before_parsing() -> None:
    spec = SourceSpec(stream="security-blogs", name="laughs", kind="feed", url="https://example.org/feed")

    with pytest.raises(ParseError, match="declares the entity 'lol0'"):
        FeedAdapter().parse(spec, Payload(laughs().encode(), "https://example.org/feed", "application/rss+xml"))


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")
def test_across_the_corpora_exactly_the_documents_with_declarations_are_refused() -> None:
    refused, declaring = set(), set()
    for path in CORPORA.rglob("*"):
        if path.suffix not in (".xml", ".atom", ".rss", ".rdf") or not path.is_file():
            continue
        body = path.read_bytes()
        if b"<!ENTITY" in body:
            declaring.add(path)
        try:
            refuse_entity_declarations(body)
        except ParseError:
            refused.add(path)

    assert refused == declaring and len(refused) >= 4  # feedparser's and the W3C validator's entity cases
