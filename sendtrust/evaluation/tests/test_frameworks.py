"""Frameworks as data: validation names the file and key, loading is idempotent and versioned."""

import pytest
import yaml
from django.core.management import CommandError, call_command

from sendtrust.evaluation import services
from sendtrust.evaluation.frameworks import SHIPPED_DIR, FrameworkError, load_frameworks
from sendtrust.evaluation.models import Area, Framework, KeyQuestion, Theme
from sendtrust.evaluation.tests.helpers import SIX_AREA, open_round, rate_all, shipped, unit_of

# The six areas and their themes, exactly as the leadership model names them (DOMAIN.md).
SIX_AREA_THEMES = {
    "Setting strategic direction": [
        "Inclusive culture and vision", "SEND strategic planning", "SEND policy", "Governance"],
    "Creating alignment": [
        "Collective responsibility", "Core SEND offer",
        "Curriculum access and high quality teaching", "Inclusive environments"],
    "Building and sustaining relationships": [
        "Working with parents and carers", "Pupil voice and participation",
        "Engaging external professionals", "Developing wider partnerships"],
    "Team working": [
        "Establishing SEND knowledge and expertise", "Collaborating with the specialist sector",
        "Creating SEND teams", "Effective use of teaching assistants"],
    "Planning and organising": [
        "Establishing systems and processes", "Accurate assessment and identification",
        "Robust provision mapping", "Impactful interventions"],
    "Delivering results": [
        "Securing positive outcomes", "Analysis of SEND data",
        "Rigorous monitoring and evaluation", "Effective use of SEND funding"],
}
SIX_AREA_FILE = SHIPPED_DIR / f"{SIX_AREA}.v1.yaml"


def write_variant(tmp_path, change, name=f"{SIX_AREA}.v1.yaml"):
    """Write the shipped six-area file into tmp_path after change(data) edits it."""
    data = yaml.safe_load(SIX_AREA_FILE.read_text())
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load_error(tmp_path) -> str:
    with pytest.raises(FrameworkError) as e:
        load_frameworks(tmp_path)
    return str(e.value)


def test_six_area_model_is_shipped_with_every_theme(db):
    fw = shipped()
    areas = list(Area.objects.filter(framework=fw).prefetch_related("themes", "questions"))
    assert {a.title: [t.title for t in a.themes.all()] for a in areas} == SIX_AREA_THEMES
    assert Theme.objects.filter(framework=fw).count() == 24
    for area in areas:
        assert 3 <= area.questions.count() <= 5, area.title
    assert [(lv.value, lv.label) for lv in fw.levels.all()][0] == (1, "Not yet in place")
    assert fw.levels.count() == 4 and all(lv.descriptor for lv in fw.levels.all())


def test_achievement_for_all_is_shipped_with_four_elements(db):
    fw = shipped("achievement-for-all")
    assert [a.title for a in fw.areas.all()] == [
        "Leadership for inclusion", "Teaching and learning", "Parent and carer engagement",
        "Wider outcomes and opportunities",
    ]
    assert all(a.themes.count() >= 2 and a.questions.count() >= 3 for a in fw.areas.all())
    assert fw.levels.count() == 4


def test_loading_again_changes_nothing(db):
    before = (Framework.objects.count(), Theme.objects.count(), KeyQuestion.objects.count())
    results = load_frameworks()
    assert [created for _, created in results] == [False, False]
    assert (Framework.objects.count(), Theme.objects.count(),
            KeyQuestion.objects.count()) == before


def test_the_command_reports_what_it_loaded(db, tmp_path, capsys):
    write_variant(tmp_path, lambda d: d.update(version=2), name=f"{SIX_AREA}.v2.yaml")
    call_command("load_frameworks", str(tmp_path))
    assert "six-area-leadership.v2.yaml: Six-area SEND leadership model v2 loaded" in (
        capsys.readouterr().out)
    call_command("load_frameworks", str(tmp_path))
    assert "already loaded" in capsys.readouterr().out
    assert Framework.objects.filter(trust=None, slug=SIX_AREA).count() == 2


def test_a_changed_file_under_a_loaded_version_is_refused(db, tmp_path):
    write_variant(tmp_path, lambda d: d["areas"][0]["themes"][0].update(title="Vision"))
    assert load_error(tmp_path) == (
        "six-area-leadership.v1.yaml: version 1 of 'six-area-leadership' is already loaded "
        "with different content; give the changed file a new version"
    )
    assert shipped().themes.filter(title="Inclusive culture and vision").exists()


def test_the_command_turns_a_broken_file_into_a_clear_error(db, tmp_path):
    write_variant(tmp_path, lambda d: d["areas"][2]["themes"][1].pop("title"))
    with pytest.raises(CommandError, match=r"areas\[2\]\.themes\[1\]: missing 'title'"):
        call_command("load_frameworks", str(tmp_path))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["areas"][2]["themes"][1].pop("title"),
     "areas[2].themes[1]: missing 'title'"),
    (lambda d: d.pop("scale"), "missing 'scale'"),
    (lambda d: d.update(version="one"), "version: expected a whole number, found text"),
    (lambda d: d["areas"][0].update(questions="Why?"),
     "areas[0].questions: expected a list, found text"),
    (lambda d: d["areas"][1]["themes"][0].update(title=""),
     "areas[1].themes[0].title: must not be empty"),
    (lambda d: d["areas"][3]["themes"][2].update(slug="governance"),
     "areas[3].themes[2].slug: duplicate theme slug 'governance' (also at areas[0].themes[3])"),
    (lambda d: d["scale"].pop(), "scale: expected 4 levels, found 3"),
    (lambda d: d["scale"][1].update(value=3), "scale[1].value: expected 2"),
    (lambda d: d["areas"].pop(), "areas: expected 6 areas, found 5"),
    (lambda d: d["areas"][4]["themes"].pop(), "areas[4].themes: expected 4 themes, found 3"),
    (lambda d: d["areas"][5].update(questions=["Only one?"]),
     "areas[5].questions: expected 3 to 5 questions, found 1"),
    (lambda d: d["areas"][0].update(colour="blue"), "areas[0]: unknown key 'colour'"),
    (lambda d: d.update(slug="six-areas"), "slug: 'six-areas' does not match the file name"),
    (lambda d: d["areas"][0].update(slug="Setting Direction"),
     "areas[0].slug: 'Setting Direction' is not a slug"),
])
def test_a_broken_file_names_the_file_and_the_key(db, tmp_path, change, message):
    write_variant(tmp_path, change)
    assert load_error(tmp_path).startswith(f"six-area-leadership.v1.yaml: {message}")


def test_a_file_without_a_version_in_its_name_is_refused(db, tmp_path):
    write_variant(tmp_path, lambda d: None, name="six-area-leadership.yaml")
    assert load_error(tmp_path) == (
        "six-area-leadership.yaml: file name must be <slug>.v<version>.yaml")


def test_invalid_yaml_names_the_line(db, tmp_path):
    (tmp_path / "broken.v1.yaml").write_text("slug: broken\nareas: [\n")
    assert load_error(tmp_path).startswith("broken.v1.yaml: line ")


def test_one_broken_file_loads_nothing(db, tmp_path):
    write_variant(tmp_path, lambda d: d.update(version=2), name=f"{SIX_AREA}.v2.yaml")
    (tmp_path / "zz.v1.yaml").write_text("slug: zz\n")
    load_error(tmp_path)
    assert not Framework.objects.filter(version=2).exists()


def test_copy_and_edit_leave_the_original_and_old_rounds_alone(cast):
    leader = cast.users["send_leader"]
    original = shipped()
    old_round = open_round(cast, name="Summer 2026")
    rate_all(unit_of(old_round), by=leader, level=2)

    copy = services.copy_framework(original, cast.trust, by=leader)
    assert (copy.trust, copy.version, copy.copied_from) == (cast.trust, 1, original)
    assert copy.themes.count() == 24 and copy.levels.count() == 4
    assert KeyQuestion.objects.filter(area__framework=copy).count() == 25
    theme = copy.themes.get(slug="governance")
    services.edit_framework_item(theme, title="Trust board and local governance", by=leader)
    question = KeyQuestion.objects.get(area__framework=copy, area__order=1, number=1)
    services.edit_framework_item(question, text="Our own question.", by=leader)

    assert original.themes.get(slug="governance").title == "Governance"
    assert old_round.framework == original
    assert (unit_of(old_round).ratings.get(theme__slug="governance").theme.title
            == "Governance")

    with pytest.raises(Exception, match="Shipped frameworks cannot be edited"):
        services.edit_framework_item(original.themes.first(), title="X", by=leader)
    new_round = open_round(cast, name="Autumn 2026", framework=copy)
    assert new_round.framework.themes.get(slug="governance").title.startswith("Trust board")
    with pytest.raises(Exception, match="Round 'Autumn 2026' uses this version: copy it again"):
        services.edit_framework_item(theme, title="Again", by=leader)
    assert services.copy_framework(copy, cast.trust, by=leader).version == 2


def test_a_trust_cannot_copy_another_trusts_framework(cast):
    mine = services.copy_framework(shipped(), cast.trust, by=cast.users["send_leader"])
    with pytest.raises(Exception, match="only shipped frameworks or its own"):
        services.copy_framework(mine, cast.other_trust, by=cast.users["other_trust_senco"])
