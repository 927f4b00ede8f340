"""`make loadtest`: the production server under locust, with a large import at the same time.

Builds a demo trust in a throwaway database (SQLite in a temporary folder, or
LOADTEST_DATABASE_URL for PostgreSQL: it must be an empty database you can throw away),
collects static files, starts gunicorn exactly as `make serve` does (DEBUG off, a random
SECRET_KEY, 127.0.0.1 only) and the background worker as `make worker` does, runs locust
headless with LOADTEST_USERS users for LOADTEST_SECONDS seconds and, meanwhile, uploads a
LOADTEST_IMPORT_ROWS-row census CSV through the import page as a SENCO: the worker checks and
saves it while the page's progress is polled, as a person's browser would.

Users sign in as school-level accounts (SENCOs, the headteacher) and as the trust's leaders
(SEND leader, executive, trustee), who sign in with a second factor: each locust leader uses
one of the recovery codes made for this run. Only 127.0.0.1 is ever a target; users and time
are bounded.

Prints client-side p50/p95 per request type (locust), the server's own time per page (the
request log), where the machine's CPU went (gunicorn, the worker, locust, PostgreSQL, other
processes) and the load average; exits non-zero on any failure; always stops what it started.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "Loadtest-Orchard-2026"


def env_int(name, default):
    return int(os.environ.get(name) or default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LEADER_ROLES = ("send_leader", "executive", "trustee")
CODES_PER_LEADER = 100  # recovery codes made per leader account, one per locust sign-in


def write_targets(out: str, accounts_csv: str, per_school: int = 200) -> None:
    """Run inside Django: the accounts, codes of each school's pupils, and for each leader an
    authenticator and recovery codes (their second factor)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sendtrust.organisations.models import School, Trust

    rows = list(csv.DictReader(open(accounts_csv)))
    accounts = [a for a in rows if a["role"] in ("senco", "headteacher") and a["school_urn"]]
    schools = {}
    for school in School.objects.all():
        codes = [str(c) for c in
                 school.pupils.order_by("?").values_list("code", flat=True)[:per_school]]
        schools[school.urn] = {"code": str(school.code), "pupils": codes, "la": school.la_code}
    accounts = [a for a in accounts
                if a["school_urn"] in schools and schools[a["school_urn"]]["pupils"]]
    leaders = []
    for a in rows:
        if a["role"] not in LEADER_ROLES:
            continue
        user = get_user_model().objects.get(username=a["username"])
        TOTPDevice.objects.get_or_create(user=user, name="loadtest", defaults={"confirmed": True})
        device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery",
                                                       defaults={"confirmed": True})
        codes = [StaticToken.random_token() for _ in range(CODES_PER_LEADER)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        leaders.append({**a, "codes": codes})
    trust = Trust.objects.filter(schools__urn__in=schools).distinct().get()
    json.dump({"password": PASSWORD, "accounts": accounts, "leaders": leaders,
               "trust": str(trust.code), "schools": schools}, open(out, "w"))


def web_import(base: str, account: dict, school_code: str, path: Path, out: dict) -> None:
    """Upload the census file through the import page as a person would, then poll its
    progress page (every 2 s, as htmx does) until the worker has finished."""
    import requests

    started = time.perf_counter()
    try:
        s = requests.Session()
        s.get(f"{base}/login/", timeout=60)
        s.post(f"{base}/login/", timeout=60, headers={"Referer": f"{base}/login/"}, data={
            "username": account["username"], "password": PASSWORD,
            "csrfmiddlewaretoken": s.cookies.get("csrftoken", "")})
        page = f"{base}/schools/{school_code}/import/"
        s.get(page, timeout=60)
        started = time.perf_counter()  # from the upload on, as the person waits
        with open(path, "rb") as f:
            r = s.post(page, timeout=120, allow_redirects=False, headers={"Referer": page},
                       data={"csrfmiddlewaretoken": s.cookies.get("csrftoken", "")},
                       files={"file": (path.name, f, "text/csv")})
        out["upload_s"] = time.perf_counter() - started
        if r.status_code != 303:
            out["error"] = f"the upload answered {r.status_code}, not 303 to the job's page"
            return
        job = base + r.headers["Location"]
        polls = 0
        while time.perf_counter() - started < 900:
            time.sleep(2)
            polls += 1
            html = s.get(job, timeout=60, headers={"HX-Request": "true"}).text
            if "Import complete" in html:
                m = re.search(r"<dt>New pupils</dt><dd>(\d+)</dd>", html)
                out["created"] = int(m.group(1)) if m else None
                break
            if "Nothing was saved" in html:
                out["error"] = "the import was refused: " + re.sub(r"<[^>]+>", " ", html)[:300]
                break
        else:
            out["error"] = "the import did not finish in 900 s"
        out["polls"] = polls
    except Exception as e:  # noqa: BLE001 - reported, and the run fails
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        out["seconds"] = time.perf_counter() - started


# -- where the CPU went: /proc, read-only, for the processes this run started and the rest --

def _ticks(pid: int) -> int | None:
    """CPU ticks of a process and its waited-for children; None once it has gone."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    except (OSError, IndexError, ValueError):
        return None


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _machine() -> tuple[int, int]:
    parts = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class CpuMeter:
    """CPU seconds of each group of processes over the measured window, sampled every 2 s.

    A process already running at the start counts from its reading then; one that starts
    later counts from zero; one that exits keeps its last reading (under 2 s of it is lost).
    """

    def __init__(self, groups: dict[str, int]):
        self.groups = groups
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self.loads: list[float] = []
        self.stop = threading.Event()
        self.busy0, _ = _machine()
        self.started = time.monotonic()
        self.sample(baseline=True)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def sample(self, baseline: bool = False) -> None:
        for name, root in self.groups.items():
            for pid in _descendants(root):
                ticks = _ticks(pid)
                if ticks is None:  # gone: its last reading stands
                    continue
                self.first.setdefault((name, pid), ticks if baseline else 0)
                self.last[(name, pid)] = ticks
        self.loads.append(os.getloadavg()[0])

    def run(self) -> None:
        while not self.stop.wait(2):
            self.sample()

    def report(self) -> str:
        self.stop.set()
        self.thread.join()
        self.sample()
        hz = os.sysconf("SC_CLK_TCK")
        wall = time.monotonic() - self.started
        cores = os.cpu_count() or 1
        machine_busy = (_machine()[0] - self.busy0) / hz
        by: dict[str, float] = {}
        for key, last in self.last.items():
            by[key[0]] = by.get(key[0], 0) + max(0, last - self.first[key]) / hz
        other = max(0.0, machine_busy - sum(by.values()))

        def share(secs):
            return f"{secs:7.0f} core-s {100 * secs / (cores * wall):4.0f}%"

        lines = [f"\nCPU over the {wall:.0f} s run ({cores} cores = {cores * wall:.0f} core-s), "
                 f"busy {share(machine_busy).strip()} of the machine:"]
        for name, secs in sorted(by.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {name:<30} {share(secs)}")
        lines.append(f"  {'other processes on the machine':<30} {share(other)}")
        lines.append(f"  load average (1 min) during the run: median "
                     f"{statistics.median(self.loads):.1f}, max {max(self.loads):.1f}")
        self.by, self.wall, self.cores = by, wall, cores
        return "\n".join(lines)

    def capacity(self, requests: int, name: str = "gunicorn (web workers)") -> str:
        """What the web workers' CPU per request says about the most this machine can serve."""
        if not requests or not self.by.get(name):
            return ""
        per = self.by[name] / requests
        return (f"  gunicorn spent {1000 * per:.0f} ms of CPU per request on average "
                f"({requests:,} requests, {requests / self.wall:.1f}/s offered): {self.cores} "
                f"cores alone could serve at most {self.cores / per:.0f} requests/s with nothing "
                f"else running")


def postgres_root() -> int | None:
    """The PostgreSQL server's first process (its backends are its children), if one runs."""
    for entry in sorted(os.listdir("/proc"), key=lambda e: int(e) if e.isdigit() else 0):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
            parent = stat.rsplit(")", 1)[1].split()[1]
            if "(postgres)" in stat and "(postgres)" not in open(f"/proc/{parent}/stat").read():
                return int(entry)
        except (OSError, IndexError):
            continue
    return None


def server_times(log: Path) -> dict[str, list[tuple[float, float]]]:
    """The server's own time and CPU (ms) per view, from the request log (REQUEST_LOG=1)."""
    times: dict[str, list[tuple[float, float]]] = {}
    for line in open(log, errors="replace"):
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        times.setdefault(f"{entry['method']} {entry['view']}", []).append(
            (entry["ms"], entry.get("cpu_ms", 0.0)))
    return times


def main() -> int:
    users = env_int("LOADTEST_USERS", 50)
    seconds = env_int("LOADTEST_SECONDS", 120)
    schools = env_int("LOADTEST_SCHOOLS", 12)
    pupils = env_int("LOADTEST_PUPILS", 8000)
    import_rows = env_int("LOADTEST_IMPORT_ROWS", 10000)
    workers = env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)  # as gunicorn.conf.py
    tmp = Path(tempfile.mkdtemp(prefix="sendtrust-loadtest-"))
    port = free_port()
    db_url = os.environ.get("LOADTEST_DATABASE_URL") or f"sqlite:///{tmp / 'loadtest.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0",
           "SECRET_KEY": secrets.token_urlsafe(50), "COLLECTED_STATIC": "1",
           "STATIC_ROOT": str(tmp / "static"), "ALLOWED_HOSTS": "127.0.0.1",
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "HTTPS": "",
           "DJANGO_SETTINGS_MODULE": "sendtrust.settings", "PYTHONPATH": str(ROOT),
           }
    env.pop("REQUEST_LOG", None)

    def manage(*args, **kw):
        return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kw)

    kind = "PostgreSQL (LOADTEST_DATABASE_URL)" if "postgres" in db_url else "SQLite " + db_url
    print(f"loadtest: database {kind}")
    t0 = time.perf_counter()
    manage("migrate", "--verbosity", "0")
    accounts_csv = tmp / "accounts.csv"
    manage("demo_trust", "--schools", str(schools), "--pupils", str(pupils), "--seed", "1",
           "--password", PASSWORD, "--accounts-csv", str(accounts_csv), "--no-leadership",
           stdout=subprocess.DEVNULL)
    manage("collectstatic", "--noinput", "--verbosity", "0")
    targets = tmp / "targets.json"
    subprocess.run([PY, __file__, "--targets", str(targets), str(accounts_csv)], cwd=ROOT,
                   env=env, check=True)
    data = json.load(open(targets))
    print(f"loadtest: built {schools} schools / {pupils:,} pupils in "
          f"{time.perf_counter() - t0:.0f} s; "
          f"{len(data['accounts'])} school-level accounts, {len(data['leaders'])} leaders")

    # The import: a census CSV into the school of the first SENCO, uploaded once users run.
    senco = next(a for a in data["accounts"] if a["role"] == "senco")
    school = data["schools"][senco["school_urn"]]
    import_csv = tmp / "census-import.csv"
    subprocess.run([PY, "-c", "import sys, django; django.setup();"
                    "from sendtrust.imports.samples import write_sample_csv;"
                    "write_sample_csv(sys.argv[1], int(sys.argv[2]),"
                    " school_la=int(sys.argv[3]), seed=5)",
                    str(import_csv), str(import_rows), str(school["la"] or 801)],
                   cwd=ROOT, env=env, check=True)

    manage("migrate", "--verbosity", "0")  # as `make serve` does, right before it starts
    log = tmp / "server.log"
    server = subprocess.Popen([PY, "-m", "gunicorn", "sendtrust.wsgi:application",
                               "-c", "gunicorn.conf.py"],
                              cwd=ROOT, env={**env, "REQUEST_LOG": "1", "LOG_LEVEL": "WARNING"},
                              stdout=open(log, "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    worker = subprocess.Popen([PY, "manage.py", "run_worker", "--no-startup-delay",
                               "--verbosity", "0"],
                              cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    locust = None
    status = 0
    try:
        last = ""
        for _ in range(240):  # a loaded shared machine may take a while to start gunicorn
            try:
                if urllib.request.urlopen(f"{base}/health/", timeout=2).status == 200:
                    break
            except urllib.error.HTTPError as e:
                last = e.read().decode(errors="replace")[:300]
                time.sleep(0.5)
            except OSError as e:
                last = str(e)
                time.sleep(0.5)
        else:
            print(f"loadtest: the server did not answer /health/ within 120 s: {last}")
            return 1
        stats = tmp / "stats"
        locust = subprocess.Popen(
            [PY, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds}s",
             "--host", base, "--csv", str(stats), "--only-summary",
             "--stop-timeout", "10", "--exit-code-on-error", "1", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOADTEST_TARGETS": str(targets)}, stdout=subprocess.DEVNULL)
        groups = {"gunicorn (web workers)": server.pid, "run_worker (the import)": worker.pid,
                  "locust (the load generator)": locust.pid}
        pg = postgres_root() if "postgres" in db_url else None
        if pg:
            groups["PostgreSQL (all databases)"] = pg
        meter = CpuMeter(groups)
        delay = min(10, seconds / 4)
        time.sleep(delay)  # let users sign in, then import during their reads
        imported: dict = {}
        importer = threading.Thread(target=web_import,
                                    args=(base, senco, school["code"], import_csv, imported))
        importer.start()
        locust_rc = locust.wait(timeout=seconds + 120)
        importer.join(timeout=900)
        health = json.load(urllib.request.urlopen(f"{base}/health/", timeout=10))
        cpu = meter.report()
        served = report(stats, users, seconds, workers)
        report_server(log)
        print(cpu)
        print(meter.capacity(served))
        print(f"\nImport of {import_rows:,} rows ({import_csv.stat().st_size / 1024:.0f} KB), "
              f"uploaded through the import page {delay:.0f} s into the run, run by the worker: "
              f"the upload answered in {imported.get('upload_s', 0):.1f} s, the result showed "
              f"{imported.get('seconds', 0):.1f} s after the upload began "
              f"({imported.get('polls', 0)} progress polls); {imported.get('created')} new pupils")
        print(f"/health/ after the run: worker {health['checks'].get('worker')}")
        if imported.get("error") or imported.get("created") != import_rows:
            print(f"loadtest: the import failed: {imported.get('error')}")
            status = 1
        if locust_rc:
            print(f"loadtest: locust exited {locust_rc} (failed requests)")
            status = 1
    finally:
        for process in (locust, worker, server):
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        print("loadtest: server and worker stopped")
        if not os.environ.get("LOADTEST_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)  # the throwaway SQLite database and files
    print("loadtest: PASS" if status == 0 else "loadtest: FAIL")
    return status


def report(stats: Path, users: int, seconds: int, workers: int) -> None:
    print(f"\nlocust headless: {users} users (4 in 5 school staff, 1 in 5 trust leaders; 1-3 s "
          f"think time) for {seconds} s against gunicorn ({workers} sync workers, DEBUG off) on "
          f"127.0.0.1; client-side response times in ms, from locust's stats CSV")
    print(f"  {'request':<28} {'count':>7} {'fail':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    served = 0
    for row in csv.DictReader(open(f"{stats}_stats.csv")):
        if row["Name"] == "Aggregated":
            served = int(row["Request Count"])
        print(f"  {row['Name'][:28]:<28} {row['Request Count']:>7} {row['Failure Count']:>5} "
              f"{row['50%']:>7} {row['95%']:>7} {float(row['Max Response Time']):>7.0f}")
    failures = list(csv.DictReader(open(f"{stats}_failures.csv")))
    for f in failures[:10]:
        print(f"  FAILED {f['Method']} {f['Name']}: {f['Error'][:120]} x{f['Occurrences']}")
    return served


def report_server(log: Path) -> None:
    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    times = server_times(log)
    print("\nThe server's own time per view, ms (request log: from the request entering Django "
          "to its response, so without queueing for a gunicorn worker), and the CPU the worker "
          "spent on it (its own cost, whatever else ran)")
    print(f"  {'view':<40} {'count':>6} {'p50':>7} {'p95':>7} {'CPU p50':>8} {'CPU mean':>8}")
    cpu_all = []
    for name, rows in sorted(times.items(), key=lambda kv: -len(kv[1])):
        cpu_all += [c for _, c in rows]
        if len(rows) < 5:
            continue
        ms, cpu = [m for m, _ in rows], [c for _, c in rows]
        print(f"  {name[:40]:<40} {len(rows):>6} {pct(ms, 0.5):>7.0f} {pct(ms, 0.95):>7.0f} "
              f"{pct(cpu, 0.5):>8.0f} {statistics.mean(cpu):>8.0f}")
    if cpu_all:
        print(f"  every request: {len(cpu_all):,}, mean CPU {statistics.mean(cpu_all):.0f} ms")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--targets":
        write_targets(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main())
