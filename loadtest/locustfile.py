"""Locust users for `make loadtest` (run by loadtest/run.py, which writes LOADTEST_TARGETS).

Most users sign in as a school-level account (SENCO or headteacher: no second factor) and mix
page reads, API reads and a few writes on their own school. One in five signs in as one of the
trust's leaders (SEND leader, executive, trustee) with a second factor (a recovery code made
for this run, each used once) and reads the trust overview, the trust's analytics (the
trustee's with small numbers suppressed), registers and records.
"""

import datetime as dt
import itertools
import json
import os
import random

from locust import HttpUser, between, task

TARGETS = json.load(open(os.environ["LOADTEST_TARGETS"]))
# Each leader's recovery codes, handed out once each across the users of this process.
CODES = {a["username"]: iter(a["codes"]) for a in TARGETS.get("leaders", [])}
LEADERS = itertools.cycle(TARGETS.get("leaders", []))


class SchoolStaff(HttpUser):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        self.account = random.choice(TARGETS["accounts"])
        self.school = TARGETS["schools"][self.account["school_urn"]]
        self.client.get("/login/", name="sign in (form)")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post("/login/", name="sign in", catch_response=True, data={
            "username": self.account["username"], "password": TARGETS["password"],
            "csrfmiddlewaretoken": token}, headers={"Referer": self.host + "/login/"},
        ) as response:
            if "/login/" in response.url:
                response.failure(f"sign-in refused for {self.account['username']}")

    def pupil(self):
        return random.choice(self.school["pupils"])

    @task(4)
    def register(self):
        self.client.get(f"/schools/{self.school['code']}/register/", name="register")

    @task(4)
    def pupil_record(self):
        self.client.get(f"/pupils/{self.pupil()}/", name="pupil record")

    @task(2)
    def school_analytics(self):
        self.client.get(f"/schools/{self.school['code']}/analytics/", name="school analytics")

    @task(1)
    def data_quality(self):
        self.client.get(f"/schools/{self.school['code']}/data-quality/", name="data quality")

    @task(3)
    def api_pupils(self):
        self.client.get("/api/v1/pupils?limit=50", name="API pupils?limit=50")

    @task(1)
    def write_chronology(self):
        if self.account["role"] != "senco":
            return
        pupil = self.pupil()
        url = f"/pupils/{pupil}/chronology/new/"
        self.client.get(url, name="chronology form")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(url, name="chronology entry (write)", catch_response=True,
                              allow_redirects=False, data={
                                  "csrfmiddlewaretoken": token,
                                  "on": dt.date.today().isoformat(), "kind": "meeting",
                                  "title": "Load test meeting", "notes": "written by locust"},
                              headers={"Referer": self.host + url}) as response:
            if response.status_code not in (302, 303):
                response.failure(f"write answered {response.status_code}")


class TrustLeader(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.account = next(LEADERS)
        self.client.get("/login/", name="sign in (form)")
        with self.client.post("/login/", name="sign in", catch_response=True, data={
            "username": self.account["username"], "password": TARGETS["password"],
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                headers={"Referer": self.host + "/login/"}) as response:
            if "/login/code/" not in response.url:
                response.failure(f"no second step for {self.account['username']}")
                return
        code = next(CODES[self.account["username"]])
        with self.client.post("/login/code/", name="sign in (second factor)", catch_response=True,
                              data={"code": code, "csrfmiddlewaretoken":
                                    self.client.cookies.get("csrftoken", "")},
                              headers={"Referer": self.host + "/login/code/"}) as response:
            if "/login/" in response.url:
                response.failure(f"second factor refused for {self.account['username']}")

    def school(self):
        return random.choice(list(TARGETS["schools"].values()))

    @task(3)
    def overview(self):
        self.client.get(f"/trusts/{TARGETS['trust']}/", name="trust overview")

    @task(3)
    def trust_analytics(self):
        self.client.get(f"/trusts/{TARGETS['trust']}/analytics/", name="trust analytics")

    @task(2)
    def register(self):
        if self.account["role"] == "trustee":  # figures only: no register, no records
            return
        self.client.get(f"/schools/{self.school()['code']}/register/", name="register")

    @task(2)
    def pupil_record(self):
        if self.account["role"] == "trustee":
            return
        school = self.school()
        if school["pupils"]:
            self.client.get(f"/pupils/{random.choice(school['pupils'])}/", name="pupil record")

    @task(1)
    def api_pupils(self):
        if self.account["role"] == "trustee":
            return
        self.client.get("/api/v1/pupils?limit=50", name="API pupils?limit=50")
