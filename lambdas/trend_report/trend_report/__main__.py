"""``python -m trend_report``: render an endpoint's trend page from S3 or a local folder.

    python -m trend_report --endpoint my-endpoint --bucket my-data-bucket --output trend.html
    python -m trend_report --endpoint my-endpoint --records ./windows --output trend.html

From S3 it reads ``{--state-prefix}/{endpoint}/windows/*.json`` and the retraining outcomes
beside them (``retrainings/*.json``); ``--upload`` also writes the
page to ``{--reports-prefix}/{endpoint}/trend.html`` as the pipeline's step does. The window
links are relative (``{slug}/report.html``): put the page beside the reports' folders.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trend_report.page import render_page
from trend_report.retrainings import RetrainingMark
from trend_report.store import (
    Locations,
    read_local_records,
    read_s3_records,
    read_s3_retrainings,
    write_s3_page,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trend_report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--endpoint", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--bucket", help="the pipeline's data bucket")
    source.add_argument("--records", type=Path, help="a local folder of window records")
    parser.add_argument("--state-prefix", default="state")
    parser.add_argument("--reports-prefix", default="reports")
    parser.add_argument("--output", type=Path, default=Path("trend.html"))
    parser.add_argument("--upload", action="store_true", help="also write the page to S3")
    args = parser.parse_args(argv)
    if args.records is not None:
        if args.upload:
            parser.error("--upload needs --bucket")
        if not args.records.is_dir():
            parser.error(f"--records {args.records}: no such folder of window records")
        points, rejected = read_local_records(args.records)
        retrainings: list[RetrainingMark] = []  # the folder holds window records only
    else:
        import boto3

        s3 = boto3.client("s3")
        where = Locations(args.bucket, args.state_prefix, args.reports_prefix)
        points, rejected = read_s3_records(s3, where, args.endpoint)
        retrainings, unreadable = read_s3_retrainings(s3, where, args.endpoint)
        rejected += unreadable
    html = render_page(args.endpoint, points, rejected, retrainings=retrainings)
    args.output.write_text(html, encoding="utf-8")
    print(f"{args.output}: {len(points)} windows, {len(rejected)} unreadable records")
    if args.upload:
        print(write_s3_page(s3, where, args.endpoint, html))
    return 0


if __name__ == "__main__":
    sys.exit(main())
