"""Re-reports: an attribution phrase naming an outlet plus a link to that outlet's article collapses a
hit into the outlet's origin; either half alone does not. Articles written the way outlets write them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from dedup.independence import Evidence, count_independent
from dedup.normalize import normalize
from dedup.rereport import article_links, names_outlet, re_report
from lpi.config import load_config
from lpi.pipeline import parse_and_normalize, run_cycle
from sources.base import Hit, Payload, SourceSpec
from store import Cluster, session_scope
from tests.conftest import feed, write_config
from tests.replay import ReplayServer

GLUE_404 = "https://404media.co/google-is-paying-reddit-60-million-for-fucksmith-to-tell-its-users-to-eat-glue"
VERGE = "https://theverge.com/2024/5/23/24162896/google-ai-overview-hallucinations-glue-in-pizza"
MARKUP = "https://themarkup.org/news/2024/03/29/nycs-ai-chatbot-tells-businesses-to-break-the-law"
FT = "https://ft.com/content/5c8e2a1b-air-canada-chatbot"
SPIEGEL = "https://spiegel.de/netzwelt/web/air-canada-chatbot-erfindet-erstattungsregel-a-1234"
LE_MONDE = "https://lemonde.fr/pixels/article/2024/02/19/air-canada-chatbot_6217311_4408996.html"
EL_PAIS = "https://elpais.com/tecnologia/2024-02-20/air-canada-chatbot.html"
CORRIERE = "https://corriere.it/tecnologia/24_febbraio_19/air-canada-chatbot.shtml"
FOLHA = "https://folha.uol.com.br/tec/2024/02/air-canada-chatbot.shtml"
NOS = "https://nos.nl/artikel/2509876-air-canada-chatbot"


@pytest.mark.parametrize(
    ("text", "links", "outlet", "phrase"),
    [
        (  # Engadget-style credit at the end of a sentence
            (
                "Google's AI Overviews suggested adding glue to pizza sauce, advice that came from an old Reddit joke, "
                "as 404 Media first reported."
            ),
            [GLUE_404],
            "404media.co",
            "as 404 Media first reported",
        ),
        (  # the AP's wording for a scoop by another outlet
            (
                "But days after the issues were first reported last week by tech news outlet The Markup, the city has "
                "opted to leave the tool on its official government website."
            ),
            [MARKUP],
            "themarkup.org",
            "first reported last week by tech news outlet The Markup",
        ),
        (  # "according to a report in" with a trailing word that is not part of the name
            (
                "Air Canada had argued the chatbot was a separate legal entity, according to a report in the Financial "
                "Times Tuesday."
            ),
            [FT],
            "ft.com",
            "according to a report in the Financial Times",
        ),
        (  # the name first: "<Outlet> reported that"
            "On Thursday The Verge reported that Google is removing some of the odd answers by hand.",
            [VERGE],
            "theverge.com",
            "The Verge reported that",
        ),
        (
            "Google has said the examples were uncommon queries (via The Verge).",
            [VERGE],
            "theverge.com",
            "via The Verge",
        ),
        (
            "A Google spokesperson told The Verge the company is taking swift action.",
            [VERGE],
            "theverge.com",
            "told The Verge",
        ),
        (
            "Selon Le Monde, le chatbot d'Air Canada avait inventé une politique de remboursement.",
            [LE_MONDE],
            "lemonde.fr",
            "Selon Le Monde",
        ),
        (
            "Der Chatbot erfand eine Erstattungsregel, wie der Spiegel berichtete.",
            [SPIEGEL],
            "spiegel.de",
            "wie der Spiegel berichtete",
        ),
        (
            "Según El País, el chatbot de la aerolínea inventó una política de reembolsos.",
            [EL_PAIS],
            "elpais.com",
            "Según El País",
        ),
        (
            "Il chatbot aveva inventato un rimborso, secondo il Corriere della Sera.",
            [CORRIERE],
            "corriere.it",
            "secondo il Corriere",
        ),
        (
            "O chatbot inventou uma política de reembolso, segundo a Folha de S.Paulo.",
            [FOLHA],
            "uol.com.br",
            "segundo a Folha",
        ),
        (
            "De chatbot verzon een terugbetalingsregeling, meldt NOS.",
            [NOS],
            "nos.nl",
            "meldt NOS",
        ),
    ],
)
def test_an_attribution_with_a_link_to_the_named_outlet_is_a_re_report(
    text: str, links: list[str], outlet: str, phrase: str
) -> None:
    found = re_report(
        text,
        ["https://apnews.com/hub/artificial-intelligence", *links],
        "example-news.org",
    )

    assert found is not None
    assert (found.outlet, found.phrase, found.link) == (outlet, phrase, links[0])
    assert (
        found.reason
        == f"re-reports {outlet} (attribution '{phrase}' + link to {links[0]})"
    )


@pytest.mark.parametrize(
    ("text", "links", "publisher"),
    [
        # a phrase alone: the credit may be for one quote of an otherwise original article
        (
            "The glue tip came from an 11-year-old Reddit comment, as 404 Media first reported.",
            [],
            "theverge.com",
        ),
        # a link alone: a "see also"
        (
            "Google's AI Overviews told users to put glue on pizza. See also our earlier coverage.",
            [GLUE_404],
            "theverge.com",
        ),
        # the phrase names one outlet, the link goes to another
        (
            "The suggestion was first reported by The Markup.",
            [GLUE_404],
            "theverge.com",
        ),
        # the outlet's own earlier story
        (
            "As The Verge reported last year, Google tested AI answers in search.",
            [VERGE],
            "theverge.com",
        ),
        # the outlet's home page is not an article
        (
            "The glue tip came from an old Reddit joke (via 404 Media).",
            ["https://404media.co/"],
            "theverge.com",
        ),
    ],
)
def test_either_half_alone_is_not_a_re_report(
    text: str, links: list[str], publisher: str
) -> None:
    assert re_report(text, links, publisher) is None


@pytest.mark.parametrize(
    ("name", "link", "names"),
    [
        (
            "The New York Times",
            "https://www.nytimes.com/2024/05/24/technology/google-ai-overview.html",
            True,
        ),
        ("the Wall Street Journal", "https://www.wsj.com/tech/ai/x", True),
        ("BBC News", "https://www.bbc.co.uk/news/articles/cd11gzejgz4o", True),
        ("The Associated Press", "https://apnews.com/article/x", True),
        (
            "MIT Technology Review",
            "https://www.technologyreview.com/2024/05/31/x",
            True,
        ),
        ("ABC News", "https://abcnews.go.com/Technology/wireStory/x", True),
        ("The Verge", "https://www.404media.co/x", False),
        ("Reddit", "https://www.theverge.com/x", False),
    ],
)
def test_names_outlet(name: str, link: str, names: bool) -> None:
    assert names_outlet(name, link) is names


def test_article_links_reads_markup_escaped_once_more() -> None:
    summary = (
        "&lt;p&gt;The glue tip came from Reddit, &lt;a href=&quot;https://www.404media.co/google-is-paying-reddit-60-"
        "million-for-fucksmith-to-tell-its-users-to-eat-glue/?utm_source=rss&quot;&gt;as 404 Media first reported"
        "&lt;/a&gt;. &lt;a href=&quot;/2024/5/23/more&quot;&gt;More&lt;/a&gt; &lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;&lt;/p&gt;"
    )

    assert article_links(summary, "https://www.theverge.com/2024/5/23/story") == [
        GLUE_404,
        "https://theverge.com/2024/5/23/more",
    ]


def test_an_atom_entrys_content_links_are_kept_beside_its_summarys() -> None:
    """An Atom entry with a short summary naming the outlet and the article in <content>: the
    link is in the content only, and the entry still counts as a re-report of that outlet."""
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Verge</title>'
        "<id>tag:theverge.com,2024:feed</id><updated>2024-05-23T12:00:00Z</updated>"
        "<entry><title>Google's AI Overviews told users to put glue on pizza</title>"
        '<link rel="alternate" href="https://www.theverge.com/2024/5/23/24162896/google-ai-overview-glue"/>'
        "<id>tag:theverge.com,2024:24162896</id><updated>2024-05-23T12:00:00Z</updated>"
        "<summary>Google's AI Overviews told users to put glue on pizza, as 404 Media first reported.</summary>"
        '<content type="html">&lt;p&gt;The answer came from an old Reddit joke, &lt;a href="https://www.404media.co/'
        'google-is-paying-reddit-60-million-for-fucksmith-to-tell-its-users-to-eat-glue/"&gt;as 404 Media first '
        "reported&lt;/a&gt;.&lt;/p&gt;</content></entry></feed>"
    ).encode()
    spec = SourceSpec("tech-press", "the-verge", "feed", url="https://www.theverge.com/rss/index.xml")

    found = parse_and_normalize(spec, Payload(atom, spec.url, "application/atom+xml"), "0" * 64, datetime(2024, 5, 24, tzinfo=UTC))

    (candidate,) = found.candidates
    assert candidate.entities["links"] == [GLUE_404]
    retold = re_report(f"{candidate.title}\n{candidate.summary}", candidate.entities["links"], candidate.publisher)
    assert retold is not None and retold.outlet == "404media.co"


def test_normalize_keeps_the_summary_links_and_tells_the_language() -> None:
    spec = SourceSpec("tech-press", "the-verge", "feed")
    summary = (
        "<p>Google's AI Overviews told users to put glue on pizza, <a href=\"https://www.404media.co/google-is-paying-"
        'reddit-60-million-for-fucksmith-to-tell-its-users-to-eat-glue/">as 404 Media first reported</a>.</p>'
    )
    hit = Hit(
        url="https://www.theverge.com/2024/5/23/24162896/google-ai-overview-hallucinations-glue-in-pizza",
        title="Google's AI Overviews told users to put glue on pizza and eat rocks",
        summary=summary,
    )

    candidate = normalize(
        hit, spec, "confirming", datetime(2024, 5, 24, tzinfo=UTC), "0" * 64
    )

    assert candidate.entities["links"] == [GLUE_404]
    assert candidate.language == "en"
    assert (
        normalize(
            Hit(url=hit.url, title=hit.title, language="en-US"),
            spec,
            "confirming",
            datetime.now(UTC),
            "0" * 64,
        ).language
        == "en-US"
    )


def retelling(
    candidate_id: int, publisher: str, text: str, links: tuple[str, ...] = ()
) -> Evidence:
    return Evidence(
        candidate_id,
        "confirming",
        publisher,
        f"fp{candidate_id}",
        "tech-press",
        "",
        text,
        "",
        links,
    )


ORIGINAL = Evidence(
    1,
    "confirming",
    "404media.co",
    "fp1",
    "tech-press",
    "Google Is Paying Reddit $60 Million",
    "Google's AI Overviews told a user to add non-toxic glue to pizza sauce.",
    GLUE_404,
)
VERGE_RETELLS = retelling(
    2,
    "theverge.com",
    "The glue tip came from an old Reddit comment, as 404 Media first reported.",
    (GLUE_404,),
)
SUBSTACK_RETELLS = retelling(
    3,
    "garymarcus.substack.com",
    "It came from an old Reddit joke (via 404 Media).",
    (GLUE_404,),
)
WHY = f"re-reports 404media.co (attribution 'as 404 Media first reported' + link to {GLUE_404})"


@pytest.mark.parametrize(
    "order", [(ORIGINAL, VERGE_RETELLS), (VERGE_RETELLS, ORIGINAL)]
)
def test_a_re_report_collapses_into_the_outlet_it_retells_whichever_comes_first(
    order: tuple[Evidence, ...],
) -> None:
    count = count_independent(order)

    assert count.origins == {
        "404media.co": [1, 2]
    }  # the outlet's own article is the one that counts
    assert count.collapsed == [{"candidate": 2, "into": "404media.co", "reason": WHY}]


def test_re_reports_of_an_outlet_not_in_the_cluster_count_once_for_it() -> None:
    bbc = Evidence(
        4,
        "confirming",
        "bbc.co.uk",
        "fp4",
        "tier1-news",
        "Google AI search tells users to glue pizza",
        "",
    )

    explanation = count_independent(
        [VERGE_RETELLS, SUBSTACK_RETELLS, bbc]
    ).explanation()

    assert explanation["independent"] == 2
    assert explanation["origins"] == [
        {"origin": "bbc.co.uk", "candidates": [4]},
        {"origin": "404media.co", "candidates": [2, 3], "reason": WHY},
    ]
    assert explanation["collapsed"][0]["candidate"] == 3 and explanation["collapsed"][
        0
    ]["reason"].startswith("re-reports 404media.co (attribution 'via 404 Media'")


def test_a_chain_of_re_reports_ends_at_the_first_outlet() -> None:
    verge_page = "https://theverge.com/2024/5/24/google-ai-overviews-glue"
    engadget = retelling(
        5,
        "engadget.com",
        "Google is scrambling to remove the answers, The Verge reported.",
        (verge_page,),
    )

    count = count_independent([engadget, VERGE_RETELLS])

    assert count.origins == {"404media.co": [2, 5]}
    assert count.collapsed[0]["reason"].startswith(
        "re-reports theverge.com (attribution 'The Verge reported'"
    )


def test_the_outlets_article_arriving_later_takes_over_its_origin(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    """Through the pipeline: the Verge's re-report first counts for 404 Media; when 404 Media's own
    article comes in, it joins the cluster and counts, and the count stays one."""
    verge = feed("the-verge-google", "../explained/verge-google.xml")
    streams = {"tech-press": {"sources": [verge]}}
    run_cycle(
        load_config(write_config(tmp_path / "one.yaml", replay, database_url, streams)),
        engine,
    )
    with session_scope(engine) as session:
        [before] = session.exec(select(Cluster)).all()
        assert before.independent_count == 1
        [origin] = before.explanation["origins"]
        assert origin["origin"] == "404media.co" and origin["reason"].startswith(
            "re-reports 404media.co"
        )

    streams["tech-press"]["sources"].append(
        feed("404-media", "../explained/404media.xml")
    )
    run_cycle(
        load_config(write_config(tmp_path / "two.yaml", replay, database_url, streams)),
        engine,
    )

    with session_scope(engine) as session:
        cluster = session.get(Cluster, before.id)
        assert cluster is not None and cluster.independent_count == 1
        [origin] = cluster.explanation["origins"]
        assert "reason" not in origin and origin["origin"] == "404media.co"
        assert [c["reason"] for c in cluster.explanation["collapsed"]] == [
            f"re-reports 404media.co (attribution 'as 404 Media first reported' + link to {GLUE_404})"
        ]
