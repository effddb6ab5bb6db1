"""Press-release and blog listing pages of sites without a feed, read with BeautifulSoup.

Options (CSS selectors, all optional): ``item_selector`` (one element per listed item),
``title_selector``, ``link_selector`` and ``date_selector`` (looked up inside each item). Without
them a generic extractor reads typical listings: ``<article>`` elements, or repeated cards built around
a heading link, plus links under the listing's own path (``/news`` → ``/news/<slug>``) with meaningful
text. Navigation, header, footer and sidebar links and duplicates are dropped. Dates come from
``<time datetime>`` or from common date text ("February 8, 2024", "8 Feb 2024", "2024-02-08").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from sources.base import GetAdapter, Hit, Parsed, ParseError, Payload, SourceSpec

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary"})
_SECTIONING = ["article", "section", "main", "aside", "nav"]  # a header/footer inside one is not the page's
_TAXONOMY = re.compile(r"/(category|categories|tags?|topics?|authors?|page|archive)(/|$)", re.IGNORECASE)
_MIN_TITLE_CHARS = 12
_BOILERPLATE = re.compile(
    r"^(read|learn|see|view|show|load|find out)( (the )?(more|all|full|article|story|post|details)\b.*)?$"
    r"|^(more|next|previous|prev|older|newer|back|home|share|subscribe|continue reading)\b",
    re.IGNORECASE,
)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_MONTH_FIRST = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE)
_DAY_FIRST = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


class HtmlListingAdapter(GetAdapter):
    """A listing page: configured selectors when given, the generic extractor otherwise."""

    kind: ClassVar[str] = "html-listing"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        _reject_non_html(payload)
        soup = BeautifulSoup(payload.body, "html.parser")
        base_tag = soup.find("base", href=True)
        base = urljoin(payload.url, str(base_tag["href"])) if isinstance(base_tag, Tag) else payload.url
        item_selector = spec.options.get("item_selector")
        items: list[tuple[Tag, Tag | None]]
        if item_selector:
            items = [(item, None) for item in soup.select(str(item_selector))]
            if not items:
                raise ParseError(f"not a listing page as configured: item_selector {item_selector!r} matched nothing ({_describe(soup)})")
        else:
            items = list(_generic_items(soup, base))
        hits: list[Hit] = []
        seen = {_page_key(base)}
        skipped = 0
        for item, anchor in items:
            hit = _hit(item, anchor, spec.options, base)
            if hit is None:
                skipped += 1
            elif _page_key(hit.url) not in seen:
                seen.add(_page_key(hit.url))
                hits.append(hit)
        if not hits:
            raise ParseError(f"no recognisable listing items on the HTML page ({_describe(soup)})")
        return Parsed(hits, [f"{skipped} listed items without a link or title skipped"] if skipped else [])


def _reject_non_html(payload: Payload) -> None:
    """An empty body, a feed or JSON where a page was expected: say which, so the source can be fixed."""
    head = payload.body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise ParseError("not an HTML listing page (empty body)")
    if head.startswith((b"{", b"[")):
        raise ParseError("not an HTML listing page: the URL serves JSON; configure the API's own kind instead")
    if re.match(rb"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:rdf)\b", head, re.DOTALL):
        raise ParseError("not an HTML listing page: the URL serves an RSS/Atom feed; configure it as kind: feed")


def _generic_items(soup: BeautifulSoup, base: str) -> Iterator[tuple[Tag, Tag | None]]:
    """``(item, anchor)`` pairs: articles, else heading-link cards; then links under the listing's path."""
    articles = [a for a in soup.find_all("article") if not _in_chrome(a)]
    if articles:
        yield from ((article, None) for article in articles)
    else:
        anchors = list(_heading_links(soup))
        targets = {id(a): _page_key(urljoin(base, str(a["href"]))) for a in anchors}
        yield from ((_card(anchor, targets), anchor) for anchor in anchors)
    prefix = urlsplit(base).path.rstrip("/") + "/"
    if prefix == "/":  # a listing at the site's root: every link is "under" it, none is evidence
        return
    for anchor in soup.find_all("a", href=True):
        url = urljoin(base, str(anchor["href"]))
        if _under(url, base, prefix) and not _in_chrome(anchor) and _meaningful(_title(anchor, anchor), strict=True):
            yield anchor, anchor


def _under(url: str, base: str, prefix: str) -> bool:
    """A page below the listing's path on its host (``/news/<slug>``), not a category or pager page."""
    target, listing = urlsplit(url), urlsplit(base)
    below = target.path[len(prefix) - 1 :]
    return target.netloc == listing.netloc and target.path.startswith(prefix) and below.strip("/") != "" and not _TAXONOMY.search(below)


def _heading_links(soup: BeautifulSoup) -> Iterator[Tag]:
    """Links inside a heading, or links wrapping one (card components), outside the page chrome."""
    for heading in soup.find_all(HEADINGS):
        anchor = _link_of(heading)
        if anchor is not None and not _in_chrome(anchor) and _meaningful(_text(heading), strict=False):
            yield anchor


def _card(anchor: Tag, targets: dict[int, str]) -> Tag:
    """The largest ancestor of ``anchor`` holding no other item's heading link: the item's card."""
    own = targets[id(anchor)]
    card = anchor
    for parent in anchor.parents:
        if parent.name in ("body", "html", "[document]") or _in_chrome(parent):
            break
        if any(targets.get(id(a), own) != own for a in parent.find_all("a", href=True)):
            break
        card = parent
    return card


def _in_chrome(element: Tag) -> bool:
    """Inside navigation, a sidebar, or the page's own header or footer (not an article's)."""
    for parent in element.parents:
        if parent.name in ("nav", "aside") or parent.get("role") in _CHROME_ROLES:
            return True
        if parent.name in ("header", "footer") and parent.find_parent(_SECTIONING) is None:
            return True
    return False


def _hit(item: Tag, anchor: Tag | None, options: Mapping[str, Any], base: str) -> Hit | None:
    title_el = _select(item, options.get("title_selector"))
    anchor = _select(item, options.get("link_selector")) or _link_of(title_el) or anchor or _item_link(item)
    if anchor is None or not anchor.get("href"):
        return None
    url = urljoin(base, str(anchor["href"]).strip())
    title = _text(title_el) if title_el is not None else _title(item, anchor)
    if urlsplit(url).scheme not in ("http", "https") or not title:
        return None
    date_el = _select(item, options.get("date_selector"))
    published = _date_of(date_el) if date_el is not None else _date_in(item)
    return Hit(url=url, title=title, summary=_summary(item, title), published=published)


def _select(item: Tag, selector: Any) -> Tag | None:
    return item.select_one(str(selector)) if selector else None


def _link_of(element: Tag | None) -> Tag | None:
    if element is None:
        return None
    if element.name == "a" and element.get("href"):
        return element
    found = element.find("a", href=True) or element.find_parent("a", href=True)
    return found if isinstance(found, Tag) else None


def _item_link(item: Tag) -> Tag | None:
    """An item's own link: the item itself, its heading's link, else its first link with a real title."""
    if item.name == "a" and item.get("href"):
        return item
    for heading in item.find_all(HEADINGS):
        if link := _link_of(heading):
            return link
    for anchor in item.find_all("a", href=True):
        if _meaningful(_title(anchor, anchor), strict=True):
            return anchor
    return None


def _title(item: Tag, anchor: Tag) -> str:
    """The item's heading or ``*title*`` element, else the link's text without its date."""
    for found in (item.find(HEADINGS), item.find(class_=re.compile("title", re.IGNORECASE))):
        if isinstance(found, Tag) and (text := _text(found)):
            return text
    text = _text(anchor)
    for date_text in filter(None, (_text(t) for t in anchor.find_all("time"))):
        text = text.replace(date_text, " ")
    return " ".join(text.split())


def _meaningful(title: str, *, strict: bool) -> bool:
    """Words, not a button label; links found only by their path must also be long enough."""
    return " " in title and not _BOILERPLATE.match(title) and (not strict or len(title) >= _MIN_TITLE_CHARS)


def _summary(item: Tag, title: str) -> str:
    for paragraph in item.find_all("p"):
        text = _text(paragraph)
        if text and text != title and len(text) > 40 and _parse_date_text(text) is None:
            return text
    return ""


def _date_in(item: Tag) -> datetime | None:
    """``<time>`` first, then elements whose class names a date, then any date in the item's text."""
    candidates = [*item.find_all("time"), *item.find_all(class_=re.compile("date|time|posted|published", re.IGNORECASE)), item]
    for element in candidates:
        if isinstance(element, Tag) and (found := _date_of(element)):
            return found
    return None


def _date_of(element: Tag) -> datetime | None:
    if element.get("datetime"):
        try:
            moment = datetime.fromisoformat(str(element["datetime"]).strip())
        except ValueError:
            pass
        else:
            return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return _parse_date_text(_text(element))


def _parse_date_text(text: str) -> datetime | None:
    """The first date written in a common listing format, as midnight UTC."""
    found: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    if m := _MONTH_FIRST.search(text):
        found.append((m.start(), int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2])))
    if m := _DAY_FIRST.search(text):
        found.append((m.start(), int(m[3]), _MONTHS[m[2][:3].lower()], int(m[1])))
    if m := _ISO_DATE.search(text):
        found.append((m.start(), int(m[1]), int(m[2]), int(m[3])))
    for _, year, month, day in sorted(found):
        try:
            return datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            continue
    return None


def _text(element: Tag | None) -> str:
    return " ".join(element.get_text(" ", strip=True).split()) if element is not None else ""


def _page_key(url: str) -> str:
    return urldefrag(url)[0].rstrip("/")


def _describe(soup: BeautifulSoup) -> str:
    title = _text(soup.title) if soup.title else ""
    links = len(soup.find_all("a", href=True))
    kind = "an HTML page" if soup.find(["html", "body", "div", "p"]) else "not HTML"
    return f"{kind}, title {title!r}, {links} links" if title else f"{kind}, {links} links"
