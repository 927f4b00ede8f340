"""Limits on bad input: a request body larger than MAX_UPLOAD_MB is refused before anything
reads it; memory_ceiling() bounds the memory a parse may take.

Upload size:

Django only keeps large uploads out of memory; it still accepts them. A 200 MB upload ties up
a worker and the disk for nothing when no sendtrust form takes more than a census file. The
refusal is a 413 page that names the limit.
"""

from contextlib import contextmanager

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if length > limit:
            message = (f"The file is too large: {length / 1024 / 1024:.1f} MB. sendtrust takes "
                       f"files of up to {settings.MAX_UPLOAD_MB} MB; split the file and send "
                       f"each part.")
            return HttpResponse(
                f"<!doctype html><html lang='en-GB'><title>File too large</title>"
                f"<h1>File too large</h1><p>{escape(message)}</p>"
                f"<p><a href='/'>Go to the home page</a></p></html>",
                status=413)
        return self.get_response(request)


class MemoryCeilingExceeded(Exception):
    """Work under memory_ceiling() needed more than the ceiling; the message is for the user."""


@contextmanager
def memory_ceiling(mb: int, what: str = "reading this file"):
    """Let the work inside add at most `mb` MB of address space to this process.

    A parse of a hostile or huge file then fails with MemoryCeilingExceeded, naming the limit,
    instead of swapping the machine or waking the kernel's out-of-memory killer, which would
    take the web worker (and every request in it) down. The ceiling is the process's
    RLIMIT_AS, raised back when the block ends: app-server workers (sync) and task workers
    run one piece of work per process at a time, so the ceiling is the work's alone.
    Where the platform shows no process size (no /proc), the block runs without a ceiling.
    """
    used = _address_space()
    if used is None or not mb:
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = used + mb * 1024 * 1024
    for limit in (soft, hard):  # never loosen a limit set from outside
        if limit != resource.RLIM_INFINITY:
            ceiling = min(ceiling, limit)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    except MemoryError:
        raise MemoryCeilingExceeded(
            f"{what} needs more than the {mb:,} MB of memory sendtrust allows for it: split the "
            f"file into smaller files and upload each") from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (VmSize), or None where /proc has none."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
