"""Frameworks as data: read a versioned YAML file, validate it, install it as rows.

A file is named `<slug>.v<version>.yaml`. Every problem is reported with the file name and
the key path, e.g. `six-area-leadership.v1.yaml: areas[2].themes[1]: missing 'title'`.
The installer takes the model classes as arguments so that a data migration can pass its
historical models.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SHIPPED_DIR = Path(__file__).parent / "fixtures" / "frameworks"
FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9-]+)\.v(?P<version>[1-9][0-9]*)\.ya?ml$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_LEVELS, MAX_LEVELS = 3, 6


class FrameworkError(ValueError):
    """A framework file that cannot be loaded; the message names the file and the key."""


@dataclass(frozen=True)
class AreaSpec:
    slug: str
    title: str
    summary: str
    domains: list[str]
    questions: list[str]
    themes: list[dict]


@dataclass(frozen=True)
class FrameworkSpec:
    file_name: str
    slug: str
    version: int
    name: str
    description: str
    scale: list[dict]
    areas: list[AreaSpec]
    checksum: str

    @property
    def theme_count(self) -> int:
        return sum(len(a.themes) for a in self.areas)


class _Checker:
    """Walks one parsed file, raising FrameworkError with the path of the first problem."""

    def __init__(self, file_name: str):
        self.file_name = file_name

    def fail(self, path: str, problem: str):
        where = f"{self.file_name}: {path}: " if path else f"{self.file_name}: "
        raise FrameworkError(where + problem)

    def mapping(self, value, path: str, required: dict[str, type], optional: dict[str, type]):
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, found {_kind(value)}")
        for key in required:
            if key not in value:
                self.fail(path, f"missing {key!r}")
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            self.fail(path, f"unknown key {unknown[0]!r}")
        for key, kind in {**required, **optional}.items():
            if key in value:
                self.typed(value[key], _join(path, key), kind)
        return value

    def typed(self, value, path: str, kind: type):
        # bool is an int in Python; a level written as `yes` is still a mistake.
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            self.fail(path, f"expected {_kind_name(kind)}, found {_kind(value)}")
        if kind is str and not value.strip():
            self.fail(path, "must not be empty")
        if kind is list and not value:
            self.fail(path, "must not be empty")
        return value

    def slug(self, value: str, path: str):
        if not SLUG.match(value):
            self.fail(path, f"{value!r} is not a slug (lower-case words joined by hyphens)")


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _kind(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a whole number", float: "a number"}.get(type(value), type(value).__name__)


def _kind_name(kind: type) -> str:
    return {dict: "a mapping", list: "a list", str: "text", int: "a whole number"}[kind]


def parse_framework(path: Path) -> FrameworkSpec:
    """Read and validate one framework file; raise FrameworkError naming file and key."""
    path = Path(path)
    name = path.name
    c = _Checker(name)
    match = FILE_NAME.match(name)
    if not match:
        c.fail("", "file name must be <slug>.v<version>.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        c.fail(where, f"not valid YAML ({getattr(e, 'problem', e)})")
    c.mapping(
        data, "",
        required={"slug": str, "version": int, "name": str, "scale": list, "areas": list},
        optional={"description": str, "shape": dict},
    )
    c.slug(data["slug"], "slug")
    if data["slug"] != match["slug"]:
        c.fail("slug", f"{data['slug']!r} does not match the file name")
    if data["version"] != int(match["version"]):
        c.fail("version", f"{data['version']} does not match the file name")
    shape = data.get("shape", {})
    c.mapping(shape, "shape", required={}, optional={
        "levels": int, "areas": int, "themes_per_area": int, "questions_per_area": list,
    })

    scale = data["scale"]
    expected_levels = shape.get("levels")
    if expected_levels is not None and len(scale) != expected_levels:
        c.fail("scale", f"expected {expected_levels} levels, found {len(scale)}")
    if not MIN_LEVELS <= len(scale) <= MAX_LEVELS:
        c.fail("scale", f"expected {MIN_LEVELS} to {MAX_LEVELS} levels, found {len(scale)}")
    for i, level in enumerate(scale):
        p = _join("scale", i)
        c.mapping(level, p, required={"value": int, "label": str, "descriptor": str}, optional={})
        if level["value"] != i + 1:
            c.fail(_join(p, "value"), f"expected {i + 1}: levels run 1, 2, 3... in order")

    areas = data["areas"]
    if "areas" in shape and len(areas) != shape["areas"]:
        c.fail("areas", f"expected {shape['areas']} areas, found {len(areas)}")
    q_range = shape.get("questions_per_area")
    if q_range is not None and not (
        len(q_range) == 2 and all(isinstance(n, int) and not isinstance(n, bool) for n in q_range)
    ):
        c.fail("shape.questions_per_area", "expected [fewest, most]")
    area_slugs: set[str] = set()
    theme_slugs: dict[str, str] = {}
    parsed: list[AreaSpec] = []
    for i, area in enumerate(areas):
        p = _join("areas", i)
        c.mapping(area, p, required={"slug": str, "title": str, "questions": list, "themes": list},
                  optional={"summary": str, "domains": list})
        c.slug(area["slug"], _join(p, "slug"))
        if area["slug"] in area_slugs:
            c.fail(_join(p, "slug"), f"duplicate area slug {area['slug']!r}")
        area_slugs.add(area["slug"])
        for j, domain in enumerate(area.get("domains", [])):
            c.typed(domain, _join(_join(p, "domains"), j), str)
        for j, question in enumerate(area["questions"]):
            c.typed(question, _join(_join(p, "questions"), j), str)
        if q_range is not None and not q_range[0] <= len(area["questions"]) <= q_range[1]:
            c.fail(_join(p, "questions"),
                   f"expected {q_range[0]} to {q_range[1]} questions, found "
                   f"{len(area['questions'])}")
        per_area = shape.get("themes_per_area")
        if per_area is not None and len(area["themes"]) != per_area:
            c.fail(_join(p, "themes"), f"expected {per_area} themes, found {len(area['themes'])}")
        for j, theme in enumerate(area["themes"]):
            tp = _join(_join(p, "themes"), j)
            c.mapping(theme, tp, required={"slug": str, "title": str}, optional={"summary": str})
            c.slug(theme["slug"], _join(tp, "slug"))
            if theme["slug"] in theme_slugs:
                c.fail(_join(tp, "slug"), f"duplicate theme slug {theme['slug']!r} "
                                          f"(also at {theme_slugs[theme['slug']]})")
            theme_slugs[theme["slug"]] = tp
        parsed.append(AreaSpec(
            slug=area["slug"], title=area["title"].strip(), summary=area.get("summary", ""),
            domains=list(area.get("domains", [])), questions=list(area["questions"]),
            themes=[dict(t) for t in area["themes"]],
        ))
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return FrameworkSpec(
        file_name=name, slug=data["slug"], version=data["version"], name=data["name"].strip(),
        description=data.get("description", "").strip(), scale=[dict(s) for s in scale],
        areas=parsed, checksum=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def framework_files(directory: Path = SHIPPED_DIR) -> list[Path]:
    return sorted(p for p in Path(directory).iterdir() if p.suffix in (".yaml", ".yml"))


def install_framework(spec: FrameworkSpec, *, framework_model, area_model, theme_model,
                      question_model, level_model) -> tuple[object, bool]:
    """Create the shipped framework version from spec; return (framework, created).

    Loading the same content again does nothing; changed content under a version that is
    already loaded is refused, because rounds opened with it must keep their meaning.
    """
    existing = framework_model.objects.filter(
        trust__isnull=True, slug=spec.slug, version=spec.version
    ).first()
    if existing is not None:
        if existing.checksum != spec.checksum:
            raise FrameworkError(
                f"{spec.file_name}: version {spec.version} of {spec.slug!r} is already loaded "
                f"with different content; give the changed file a new version"
            )
        return existing, False
    framework = framework_model.objects.create(
        slug=spec.slug, version=spec.version, name=spec.name, description=spec.description,
        source=spec.file_name, checksum=spec.checksum,
    )
    level_model.objects.bulk_create([
        level_model(framework=framework, value=s["value"], label=s["label"].strip(),
                    descriptor=s["descriptor"].strip())
        for s in spec.scale
    ])
    for order, a in enumerate(spec.areas, start=1):
        area = area_model.objects.create(
            framework=framework, slug=a.slug, title=a.title, summary=a.summary.strip(),
            domains=a.domains, order=order,
        )
        question_model.objects.bulk_create([
            question_model(area=area, number=n, text=" ".join(q.split()))
            for n, q in enumerate(a.questions, start=1)
        ])
        theme_model.objects.bulk_create([
            theme_model(framework=framework, area=area, slug=t["slug"], title=t["title"].strip(),
                        summary=t.get("summary", "").strip(), order=n)
            for n, t in enumerate(a.themes, start=1)
        ])
    return framework, True


def load_frameworks(directory: Path = SHIPPED_DIR, models=None) -> list[tuple[object, bool]]:
    """Validate every file in directory first, then install each; return (framework, created)."""
    if models is None:
        from sendtrust.evaluation import models as m

        models = {"framework_model": m.Framework, "area_model": m.Area,
                  "theme_model": m.Theme, "question_model": m.KeyQuestion,
                  "level_model": m.ScaleLevel}
    specs = [parse_framework(p) for p in framework_files(directory)]
    return [install_framework(spec, **models) for spec in specs]
