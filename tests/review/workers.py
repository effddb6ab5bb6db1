"""A reviewer in a process of its own, for the concurrency tests.

    python -m tests.review.workers claim URL REVIEWER CLUSTER...    print the clusters this reviewer won
    python -m tests.review.workers publish URL REVIEWER CLUSTER...  claim them, then publish each

Each worker prints "ready" once set up and waits for a line on stdin, so that the test can start
all of them at the same moment; results are one JSON object on the last line of stdout.
"""

from __future__ import annotations

import json
import sys

import review
from store import open_engine, session_scope
from tests.review.builders import FIELDS


def main(action: str, url: str, reviewer: str, cluster_ids: list[int]) -> dict[str, object]:
    engine = open_engine(url, migrate=False)
    if action == "publish":
        for cluster_id in cluster_ids:
            with session_scope(engine) as session:
                review.claim(session, cluster_id, reviewer)
    print("ready", flush=True)
    sys.stdin.readline()
    result: dict[str, object] = {}
    for cluster_id in cluster_ids:
        try:
            with session_scope(engine) as session:
                if action == "claim":
                    review.claim(session, cluster_id, reviewer)
                    result[str(cluster_id)] = reviewer
                else:
                    result[str(cluster_id)] = review.verify(session, cluster_id, reviewer, FIELDS).id
        except review.LeaseError:
            continue
    engine.dispose()
    return result


if __name__ == "__main__":
    action, url, reviewer, *ids = sys.argv[1:]
    print(json.dumps(main(action, url, reviewer, [int(i) for i in ids])), flush=True)
