"""A SENCO imports a census file in the browser: good file saved, bad file refused whole."""

import pytest
from playwright.sync_api import expect

from sendtrust.imports.samples import write_sample_csv

pytestmark = pytest.mark.browser


def test_senco_imports_a_census_file(page, live_server, live_cast, login, axe, tmp_path):
    cast = live_cast
    good = write_sample_csv(tmp_path / "pupils.csv", 30, seed=5)
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/import/")
    expect(page.get_by_role("heading", name="Import pupils and SEN data")).to_be_visible()
    axe(page)
    page.get_by_label("Census file (CSV or Excel .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible()
    expect(page.locator("dl.summary-list")).to_contain_text("30")
    axe(page)
    assert cast.school_a.pupils.count() == 2 + 30


def test_a_bad_file_names_the_row_and_saves_nothing(page, live_server, live_cast, login, axe,
                                                    tmp_path):
    cast = live_cast
    path = write_sample_csv(tmp_path / "pupils.csv", 5, seed=6)
    lines = path.read_text().splitlines()
    # Break the check letter of the UPN on spreadsheet row 4 (header is row 1).
    lines[3] = ("Z" if lines[3][0] != "Z" else "Y") + lines[3][1:]
    path.write_text("\n".join(lines) + "\n")
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/import/")
    page.get_by_label("Census file (CSV or Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Nothing was saved")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="check letter")
    expect(row.get_by_role("cell").first).to_have_text("4")
    axe(page)
    assert cast.school_a.pupils.count() == 2


def test_focus_moves_to_the_result_after_the_swap(page, live_server, live_cast, login, axe,
                                                  tmp_path):
    cast = live_cast
    good = write_sample_csv(tmp_path / "pupils.csv", 3, seed=7)
    login("senco_a")
    url = f"{live_server.url}/schools/{cast.school_a.code}/import/"
    page.goto(url)
    # No file: the error summary takes focus and links to the field; the address stays.
    page.get_by_role("button", name="Check and import").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    assert page.url == url
    axe(page)
    summary.get_by_role("link", name="Choose a census file to upload").click()
    expect(page.get_by_label("Census file (CSV or Excel .xlsx)")).to_be_focused()
    # A good file by keyboard: the result's heading has focus once it is swapped in.
    page.get_by_label("Census file (CSV or Excel .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Import complete")).to_be_focused()
    expect(page.locator("dl.summary-list")).to_contain_text("3")
    assert page.locator("#import-panel").count() == 1
    axe(page)
