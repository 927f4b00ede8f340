"""`make crawl` runs this file: the crawl itself is test_crawl.py, collected by `make test`.

Kept so that the Makefile's `crawl` target works until it names test_crawl.py directly.
"""

from tests.browser.test_crawl import demo, test_every_reachable_page_passes_axe_and_reflows  # noqa: F401
