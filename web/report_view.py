"""The aggregate report as a page: the Markdown of ``review.render_report`` read back into
sections and tables, so the page shows exactly the figures ``lpi report`` prints, plus bars."""

from __future__ import annotations

from dataclasses import dataclass, field

BAR_WIDTH = 320  # pixels for the largest count of a table


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]

    def bars(self) -> list[tuple[str, int, int]]:
        """(label, count, bar width) per row, when the table has a Count column."""
        if "Count" not in self.header:
            return []
        at = self.header.index("Count")
        counts = [int(row[at]) for row in self.rows]
        largest = max(counts, default=0) or 1
        return [(row[0], count, round(BAR_WIDTH * count / largest)) for row, count in zip(self.rows, counts, strict=True)]


@dataclass
class Section:
    heading: str
    blocks: list[str | Table] = field(default_factory=list)  # paragraphs and tables, in the report's order


def read_report(markdown: str) -> tuple[str, list[Section]]:
    """(title, sections): headings, paragraphs and pipe tables; the separator rows are dropped."""
    title = ""
    sections = [Section("")]
    table: Table | None = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            table = None
        if line.startswith("# "):
            title = line[2:]
        elif line.startswith("## "):
            sections.append(Section(line[3:]))
        elif line.startswith("|---"):
            continue
        elif line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if table is None:
                table = Table(cells, [])
                sections[-1].blocks.append(table)
            else:
                table.rows.append(cells)
        elif line.strip():
            sections[-1].blocks.append(line)
    return title, [s for s in sections if s.heading or s.blocks]
