"""Each page reads each trust's per-school pupil counts once (issue 15)."""

from sendtrust.analytics.figures.schools import counts_shared

SAFE = {"GET", "HEAD"}


def counts_shared_per_request(get_response):
    """Within a GET or HEAD request, every figure that asks for a trust's per-school counts
    (the schools' rates, the need mix, the self-evaluation evidence, the plan's indicators)
    shares one read of the pupils. A POST reads afresh, so a page written after a change
    never shows the counts from before it; nothing is kept after the request."""

    def middleware(request):
        if request.method not in SAFE:
            return get_response(request)
        with counts_shared():
            return get_response(request)

    return middleware
