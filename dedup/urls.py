"""Canonical URLs: the same article reached through different links gets one key."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc",
        "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "cmpid", "cmp", "smid", "smtyp", "ocid",
        "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "at_medium",
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "guccounter",
        "guce_referrer", "guce_referrer_sig", "spm", "share", "s_cid", "wt.mc_id", "rss", "feed",
        "src", "intcmp", "link_source", "taid", "mbid", "sr_share", "soc_src", "soc_trk",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}
_SLUG_SEPARATORS = re.compile(r"[-_+.,~\s]+")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A date in a path: year, month (a number or a name) and day, one part per segment or joined by
# "-" or "_" (/2016/sep/26/, /2018/6/7/, 2022-09-01), or eight digits (a Reuters id's T20150626).
_PATH_DATE = re.compile(
    rf"(?<![0-9])((?:19|20)[0-9]{{2}})[/_-](0?[1-9]|1[0-2]|{'|'.join(_MONTHS)})[a-z]*[/_-](0?[1-9]|[12][0-9]|3[01])(?![0-9])"
    r"|(?<![0-9])((?:19|20)[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(?![0-9])",
    re.IGNORECASE,
)
_FILE_EXTENSION = re.compile(r"\.[a-z0-9]{1,5}$")


@lru_cache(maxsize=4096)  # a hit's URL is canonicalized for its key, its check, its row and its match
def canonical_url(url: str) -> str:
    """Lower-case scheme and host, ``https`` for web links, no ``www.``, default port, fragment,
    tracking parameters or trailing slash; remaining query parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    port = parts.port if parts.port and parts.port != DEFAULT_PORTS.get(scheme) else None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def url_date(url: str) -> date | None:
    """The publication date written in a URL's path, the first that is a real day: what an
    undated entry's link says of when it was published. Only a full date counts: a year and a
    month alone (/2018/06/) are as often an archive's folder."""
    for found in _PATH_DATE.finditer(urlsplit(url).path):
        year, month, day = (part for part in found.groups() if part)
        number = _MONTHS.index(month[:3].lower()) + 1 if month.isalpha() else int(month)
        try:
            return date(int(year), number, int(day))
        except ValueError:  # 2019/02/30
            continue
    return None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def slug_words(url: str) -> str:
    """The words of the last path segment that reads as a headline, lower-case, without ids, dates,
    numbers or file extension: ``/2018/10/10/amazon-scraps-ai-tool-1234.html`` → "amazon scraps ai
    tool". A title for a hit that has none worth the name; "" when no segment has two words."""
    for segment in reversed([unquote(s) for s in urlsplit(url).path.split("/") if s]):
        found = [w for w in _SLUG_SEPARATORS.split(_FILE_EXTENSION.sub("", segment.lower())) if w.isalpha()]
        if len(found) >= 2:
            return " ".join(found)
    return ""
