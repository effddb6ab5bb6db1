"""Canonical URLs (one key per article however it was linked) and publisher identity."""

from __future__ import annotations

import pytest

from dedup.publisher import publisher_of, registrable_domain
from dedup.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?utm_source=rss&utm_medium=feed&fbclid=x&at_campaign=rss&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?UTM_Source=rss&Ref=hn", "https://example.com/a"),  # parameter names any case
        ("https://example.com/a#comments", "https://example.com/a"),
        ("HTTPS://EXAMPLE.COM/a", "https://example.com/a"),
        ("https://www.example.com/a", "https://example.com/a"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("  https://example.com./a  ", "https://example.com/a"),  # padding, trailing root dot
    ],
    ids=["tracking", "tracking-case", "fragment", "host-case", "www", "http-default-port", "https-default-port",
         "trailing-slash", "empty-path", "param-order", "whitespace-and-dot"],
)
def test_canonical_url_normalizes(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_same_article_reached_through_different_links_gets_one_key() -> None:
    links = [
        "https://www.bbc.co.uk/news/articles/cd11gzejgz4o?at_medium=RSS&at_campaign=rss",
        "http://bbc.co.uk/news/articles/cd11gzejgz4o/#top",
        "https://WWW.BBC.CO.UK:443/news/articles/cd11gzejgz4o?utm_source=twitter",
    ]

    assert {canonical_url(link) for link in links} == {"https://bbc.co.uk/news/articles/cd11gzejgz4o"}


def test_canonical_url_keeps_what_identifies_the_document() -> None:
    assert canonical_url("https://example.com/Story/ABC?id=5&page=2") == "https://example.com/Story/ABC?id=5&page=2"
    assert canonical_url("https://example.com:8443/a") == "https://example.com:8443/a"
    assert canonical_url("https://example.com/a?id=1") != canonical_url("https://example.com/a?id=2")


@pytest.mark.parametrize("url", ["mailto:tips@example.com", "ftp://example.com/a/", "urn:isbn:0451450523", "tag:status.claude.com,2005:Incident/1"])
def test_canonical_url_leaves_non_web_links_alone(url: str) -> None:
    assert canonical_url(f" {url} ") == url


def test_canonical_url_keeps_ipv6_hosts_bracketed() -> None:
    assert canonical_url("http://[::1]:8080/x") == "https://[::1]:8080/x"


@pytest.mark.parametrize(
    ("host_or_url", "expected"),
    [
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("WWW.BBC.CO.UK", "bbc.co.uk"),
        ("https://feeds.bbci.co.uk/news/technology/rss.xml", "bbci.co.uk"),
        ("https://abcnews.go.com/Technology/x", "go.com"),
        ("https://www.nytimes.com:443/x", "nytimes.com"),
        ("http://127.0.0.1:8080/feed.xml", "127.0.0.1"),
        ("10.0.0.7", "10.0.0.7"),
        ("localhost", "localhost"),
    ],
)
def test_registrable_domain(host_or_url: str, expected: str) -> None:
    assert registrable_domain(host_or_url) == expected


def test_sites_under_a_private_suffix_are_distinct_publishers() -> None:
    assert registrable_domain("https://alice.blogspot.com/2024/05/post.html") == "alice.blogspot.com"
    assert registrable_domain("https://bob.blogspot.com/p") == "bob.blogspot.com"
    assert registrable_domain("https://someone.github.io/x") == "someone.github.io"


def test_stated_publisher_wins_over_the_article_host() -> None:
    aggregator_link = "https://news.google.com/rss/articles/CBMiZWh0dHBz?oc=5"

    assert publisher_of(aggregator_link) == "google.com"
    assert publisher_of(aggregator_link, "https://apnews.com") == "apnews.com"
    assert publisher_of("https://feeds.bbci.co.uk/news/x", "bbc.co.uk") == "bbc.co.uk"
    assert publisher_of(aggregator_link, "The Associated Press") == "google.com"  # a name, not a domain: ignored
    assert publisher_of(aggregator_link, None) == publisher_of(aggregator_link, "") == "google.com"


def test_stated_publisher_name_with_a_dot_is_not_taken_for_a_domain() -> None:
    # feeds.py falls back to the <source> element's *title* when it has no url attribute
    assert publisher_of("https://news.google.com/rss/articles/x", "U.S. News & World Report") == "google.com"


@pytest.mark.parametrize(
    ("url", "publisher"),
    [
        ("https://promptarmor.substack.com/p/data-exfiltration", "promptarmor.substack.com"),  # an author, not Substack
        ("https://embracethered.substack.com/p/x", "embracethered.substack.com"),
        ("https://medium.com/@Alice/a-post-1234", "medium.com/@alice"),
        ("https://alice.medium.com/a-post", "alice.medium.com"),
        ("https://medium.com/tag/ai", "medium.com"),
        ("https://www.bbc.com/news/technology-68015230", "bbc.co.uk"),  # one organization, several domains
        ("https://feeds.bbci.co.uk/news/x", "bbc.co.uk"),
        ("https://status.claude.com/incidents/x8dn1d1dlzgb", "anthropic.com"),
        ("https://www.nytimes.com/2024/x.html", "nytimes.com"),
    ],
)
def test_shared_platforms_and_organization_families(url: str, publisher: str) -> None:
    assert publisher_of(url) == publisher
