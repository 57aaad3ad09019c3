"""The PDF of a 受理承诺单 (warm): template in the sandbox, the page, WeasyPrint — next to a bare WeasyPrint
render of the same HTML in the same process.

    ./bench --site NAME benchmark print_render [--renders 100]

Needs a site with the demo data (or any accepted application). One FontConfiguration per process, as in
production: the first render builds it and is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import time

from django.contrib.auth import get_user_model

from gov_services.models import Application
from lowcode.printing.models import PrintFormat
from lowcode.printing.pdf import fetcher, font_config
from lowcode.printing.services import document_html, document_pdf


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark print_render")
    parser.add_argument("--renders", type=int, default=100)
    args = parser.parse_args(argv)
    from weasyprint import HTML

    print_format = PrintFormat.objects.get(name="受理承诺单")
    application = Application.objects.exclude(accepted_at=None).order_by("-pk").first()
    if application is None:
        print("no accepted application on this site: load the demo data first")
        return 1
    user = get_user_model().objects.filter(is_superuser=True).first()
    document_pdf(print_format, application, user)  # warm: fonts, template cache
    html = document_html(print_format, application, user)
    HTML(string=html, url_fetcher=fetcher()).write_pdf(font_config=font_config())

    ours, bare = [], []
    for _ in range(args.renders):
        started = time.perf_counter()
        document_pdf(print_format, application, user)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html, url_fetcher=fetcher()).write_pdf(font_config=font_config())
        bare.append(time.perf_counter() - started)
    print(f"受理承诺单 of {application.number}, {args.renders} warm renders each")
    for name, values in (("platform (context + sandbox + PDF)", ours), ("bare WeasyPrint, same HTML", bare)):
        p50, p95 = statistics.median(values) * 1000, _percentile(values, 95) * 1000
        print(f"  {name:36} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    print(f"  ratio of p50s {statistics.median(ours) / statistics.median(bare):.2f} ×")
    return 0
